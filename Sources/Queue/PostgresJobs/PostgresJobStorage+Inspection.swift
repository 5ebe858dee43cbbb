import Foundation

extension PostgresJobStorage {
    package func stats() async throws -> QueueStats {
        try await read { connection, now in
            let at = PGValue.int8(now.millisecondsSince1970)
            var byQueue: [String: [JobState: Int]] = [:]
            for (queue, state, count) in try connection.execute(
                "SELECT queue, state, count(*) FROM switchboard.jobs GROUP BY queue, state"
            ).rows({ ($0.text(0), try JobState(stored: $0.text(1)), Int($0.int64(2))) }) {
                byQueue[queue, default: [:]][state] = count
            }
            let oldestByQueue = Dictionary(
                uniqueKeysWithValues: try connection.execute(
                    """
                    SELECT queue, min(run_at) FROM switchboard.jobs
                    WHERE state = 'ready' OR (state = 'scheduled' AND run_at <= $1) GROUP BY queue
                    """, [at]
                ).rows { ($0.text(0), now - Timestamp(millisecondsSince1970: $0.int64(1))) })
            let figures = try connection.execute(
                """
                SELECT least((SELECT min(run_at) FROM switchboard.jobs WHERE state = 'ready'),
                             (SELECT min(run_at) FROM switchboard.jobs WHERE state = 'scheduled' AND run_at <= $1)),
                       (SELECT count(*) FROM switchboard.jobs WHERE state = 'leased' AND lease_expires_at > $1),
                       (SELECT count(*) FROM switchboard.jobs WHERE state = 'leased' AND lease_expires_at <= $1),
                       (SELECT count(*) FROM switchboard.jobs WHERE state = 'dead'),
                       (SELECT count(*) FROM switchboard.dedupe_keys WHERE expires_at > $1)
                """,
                [at]
            ).first { ($0.optionalInt64(0), Int($0.int64(1)), Int($0.int64(2)), Int($0.int64(3)), Int($0.int64(4))) }
            guard let (oldestReady, inFlight, expired, dead, keys) = figures else {
                throw QueueError(.internal, "the statistics query returned no row")
            }
            return QueueStats(
                measuredAt: now,
                queues: byQueue.keys.sorted().map {
                    QueueStats.QueueCounts(queue: $0, counts: byQueue[$0]!, oldestReadyAge: oldestByQueue[$0])
                },
                oldestReadyAge: oldestReady.map { now - Timestamp(millisecondsSince1970: $0) },
                leasesInFlight: inFlight,
                leasesExpired: expired,
                deadLetters: dead,
                dedupeKeysHeld: keys
            )
        }
    }

    package func jobs(state: JobState?, queue: String?, kind: String?, after: Int64?, limit: Int) async throws
        -> [JobRecord]
    {
        try await query { connection, _ in
            try connection.execute(
                """
                SELECT \(JobRecord.columns) FROM switchboard.jobs
                WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR queue = $2)
                  AND ($3::text IS NULL OR kind = $3) AND id > $5
                ORDER BY id LIMIT $4
                """,
                [
                    .optionalText(state?.rawValue), .optionalText(queue), .optionalText(kind), .integer(limit),
                    .int8(after ?? 0),
                ]
            ).rows(JobRecord.init)
        }
    }

    package func jobs(ids: [Int64]) async throws -> [JobRecord] {
        try await query { connection, _ in
            let found = Dictionary(
                try connection.execute(
                    "SELECT \(JobRecord.columns) FROM switchboard.jobs WHERE id = ANY($1)", [.int8Array(ids)]
                ).rows(JobRecord.init).map { ($0.id, $0) },
                uniquingKeysWith: { first, _ in first })
            return ids.compactMap { found[$0] }
        }
    }

    package func blocked(inGroup group: String, limit: Int) async throws -> [JobRecord] {
        try await query { connection, _ in
            try connection.execute(
                "SELECT \(JobRecord.columns) FROM switchboard.jobs WHERE group_key = $1 AND state = 'blocked' ORDER BY id LIMIT $2",
                [.text(group), .integer(limit)]
            ).rows(JobRecord.init)
        }
    }

    package func hasLiveJobs(inGroup group: String) async throws -> Bool {
        try await query { connection, _ in
            try connection.execute(
                """
                SELECT 1 FROM switchboard.jobs
                WHERE group_key = $1 AND state IN ('ready', 'scheduled', 'leased', 'blocked') LIMIT 1
                """,
                [.text(group)]
            ).rows { _ in true }.isEmpty == false
        }
    }

    package func hasRunnableOrLeasedJobs(queues: [String], kinds: [String]?) async throws -> Bool {
        try await query { connection, time in
            try connection.execute(
                """
                SELECT EXISTS (SELECT 1 FROM switchboard.jobs WHERE queue = ANY($1)
                    AND (state = 'leased'
                         OR ((state = 'ready' OR (state = 'scheduled' AND run_at <= \(PostgresClockSQL.parameter(2))))
                             AND queue NOT IN (SELECT queue FROM switchboard.paused_queues)))
                    AND ($3::text[] IS NULL OR kind = ANY($3)))
                """,
                [.textArray(queues), time.parameter, kinds.map { .textArray($0) } ?? .null(.textArray)]
            ).first { $0.bool(0) } ?? false
        }
    }

    package func hasLiveJobs(queues: [String], kinds: [String]?) async throws -> Bool {
        try await query { connection, _ in
            try connection.execute(
                """
                SELECT EXISTS (SELECT 1 FROM switchboard.jobs WHERE queue = ANY($1)
                    AND (state = 'leased'
                         OR (state IN ('ready', 'scheduled', 'blocked')
                             AND queue NOT IN (SELECT queue FROM switchboard.paused_queues)))
                    AND ($2::text[] IS NULL OR kind = ANY($2)))
                """,
                [.textArray(queues), kinds.map { .textArray($0) } ?? .null(.textArray)]
            ).first { $0.bool(0) } ?? false
        }
    }

    package func pausedQueues() async throws -> [String: Timestamp] {
        try await query { connection, _ in
            Dictionary(
                uniqueKeysWithValues: try connection.execute("SELECT queue, paused_at FROM switchboard.paused_queues")
                    .rows { ($0.text(0), Timestamp(millisecondsSince1970: $0.int64(1))) })
        }
    }

    package func workers() async throws -> [WorkerRecord] {
        try await query { connection, _ in
            try connection.execute(
                "SELECT \(WorkerRecord.columns) FROM switchboard.workers ORDER BY started_at DESC, id"
            )
            .rows(WorkerRecord.init)
        }
    }

    package func schedules() async throws -> [ScheduleRecord] {
        try await query { connection, _ in
            try connection.execute("SELECT \(ScheduleRecord.columns) FROM switchboard.schedules ORDER BY name")
                .rows(ScheduleRecord.init)
        }
    }
}
