import Foundation

extension PostgresJobStorage {
    package func deadLetters(queue: String?, kind: String?, limit: Int) async throws -> [JobRecord] {
        try await read { connection, _ in
            try connection.execute(
                """
                SELECT \(JobRecord.columns) FROM switchboard.jobs
                WHERE state = 'dead' AND ($1::text IS NULL OR queue = $1) AND ($2::text IS NULL OR kind = $2)
                ORDER BY finished_at, id LIMIT $3
                """,
                [.optionalText(queue), .optionalText(kind), .integer(limit)]
            ).rows(JobRecord.init)
        }
    }

    package func deadLetterIDs(_ selection: DeadLetterSelection) async throws -> [Int64] {
        try await read { connection, now in
            switch selection {
            case .ids(let ids):
                let states = Dictionary(
                    try connection.execute(
                        "SELECT id, state FROM switchboard.jobs WHERE id = ANY($1)", [.int8Array(ids)]
                    )
                    .rows { ($0.int64(0), $0.text(1)) },
                    uniquingKeysWith: { first, _ in first })
                let problems = ids.compactMap { id -> String? in
                    switch states[id] {
                    case JobState.dead.rawValue?: nil
                    case nil: "there is no job \(id)"
                    case let state?: "job \(id) is \(state), not a dead letter"
                    }
                }
                if !problems.isEmpty {
                    throw QueueError(.notFound, problems.joined(separator: "; "))
                }
                return ids
            case .all, .queue, .olderThan:
                var cutoff = now
                var queue: String?
                if case .olderThan(let age) = selection { cutoff = now - age }
                if case .queue(let name) = selection { queue = name }
                return try connection.execute(
                    """
                    SELECT id FROM switchboard.jobs WHERE state = 'dead' AND finished_at <= $1 AND ($2::text IS NULL OR queue = $2)
                    ORDER BY finished_at, id
                    """,
                    [.int8(cutoff.millisecondsSince1970), .optionalText(queue)]
                ).rows { $0.int64(0) }
            }
        }
    }

    package func redrive(deadLetters ids: [Int64]) async throws -> Int {
        try await writeJobs { try $0.redrive(deadLetters: ids) }
    }

    package func purge(deadLetters ids: [Int64]) async throws -> Int {
        try await database.write { connection in
            try connection.execute(
                "DELETE FROM switchboard.jobs WHERE id = ANY($1) AND state = 'dead'", [.int8Array(ids)]
            )
            .affectedRows
        }
    }
}

extension PostgresJobStorage {
    package func holdUntil(buckets: [String]) async throws -> Timestamp? {
        let clock = self.clock
        let rules = self.rules
        return try await database.read { connection in
            try PostgresJobsTransaction(connection: connection, now: clock.now(), rules: rules).latestHold(buckets)
        }
    }

    package func reserveSendSlot(_ bucket: String, interval: Duration, respecting buckets: [String]) async throws
        -> Timestamp?
    {
        try await writeJobs { jobs in
            // The bucket's row lock orders racing senders: the second sees the first's slot.
            try jobs.connection.execute(
                "INSERT INTO switchboard.rate_holds (bucket, until) VALUES ($1, 0) ON CONFLICT (bucket) DO NOTHING",
                [.text(bucket)]
            )
            try jobs.connection.execute(
                "SELECT 1 FROM switchboard.rate_holds WHERE bucket = $1 FOR UPDATE", [.text(bucket)])
            if let hold = try jobs.latestHold(buckets) {
                return hold
            }
            try jobs.hold([RateHold(bucket: bucket, until: jobs.now + interval)])
            return nil
        }
    }

    package func hold(_ holds: [RateHold]) async throws {
        try await writeJobs { try $0.hold(holds) }
    }
}
