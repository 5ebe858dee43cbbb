extension SQLiteJobStorage {
    package func deadLetters(queue: String?, kind: String?, after: DeadLetterPosition?, limit: Int) async throws
        -> [JobRecord]
    {
        try await read { connection, _ in
            try connection.query(
                """
                SELECT \(JobRecord.columns) FROM jobs WHERE state = 'dead' AND (?1 IS NULL OR queue = ?1)
                  AND (?2 IS NULL OR kind = ?2)
                  AND (?4 IS NULL OR finished_at > ?4 OR (finished_at = ?4 AND id > ?5))
                ORDER BY finished_at, id LIMIT ?3
                """,
                [
                    .optionalText(queue), .optionalText(kind), .integer(limit),
                    .optionalInteger(after?.finishedAt.millisecondsSince1970), .integer(after?.id ?? 0),
                ],
                row: JobRecord.init
            )
        }
    }

    package func deadLetterIDs(queue: String?, deadFor: Duration) async throws -> [Int64] {
        try await read { connection, now in
            try connection.query(
                "SELECT id FROM jobs WHERE state = 'dead' AND finished_at <= ?1 AND (?2 IS NULL OR queue = ?2) "
                    + "ORDER BY finished_at, id",
                [.integer((now - deadFor).millisecondsSince1970), .optionalText(queue)]
            ) { $0.int64(0) }
        }
    }

    package func redrive(deadLetters ids: [Int64]) async throws -> Int {
        try await writeJobs { jobs in try ids.count { try jobs.redrive(deadLetter: $0) } }
    }

    package func purge(deadLetters ids: [Int64]) async throws -> Int {
        try await database.write { connection in
            try ids.reduce(0) { total, id in
                total + (try connection.execute("DELETE FROM jobs WHERE id = ?1 AND state = 'dead'", [.integer(id)]))
            }
        }
    }
}

extension JobsTransaction {
    /// Puts one dead letter back to run; false when it is no longer a dead letter.
    ///
    /// A job of an ordering group waits behind the group's live jobs, if it has any. A job cancelled while
    /// it ran waits until its cancelled attempt's lease has run out, unless that attempt's worker has
    /// confirmed its stop (`confirmStopped`, which then makes it ready): two attempts never overlap.
    func redrive(deadLetter id: Int64) throws -> Bool {
        guard
            let (group, leaseEnd) = try connection.queryFirst(
                "SELECT group_key, lease_expires_at FROM jobs WHERE id = ?1 AND state = 'dead'", [.integer(id)],
                row: { ($0.optionalText(0), $0.optionalInt64(1)) }
            )
        else {
            return false
        }
        let runAt = max(now.millisecondsSince1970, leaseEnd ?? 0)
        let state: JobState =
            try group.map(groupHasLiveJob) == true ? .blocked : runAt > now.millisecondsSince1970 ? .scheduled : .ready
        try connection.execute(
            """
            UPDATE jobs SET state = ?2, attempts = 0, run_at = ?3, dead_reason = NULL, finished_at = NULL,
                            updated_at = ?4
            WHERE id = ?1
            """,
            [.integer(id), .text(state.rawValue), .integer(runAt), .integer(now.millisecondsSince1970)]
        )
        return true
    }
}
