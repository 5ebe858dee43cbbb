extension SQLiteJobStorage {
    package func holdRemaining(buckets: [String]) async throws -> Duration? {
        try await read { connection, now in
            try JobsTransaction.latestHold(buckets, in: connection, now: now).map { $0 - now }
        }
    }

    /// One write transaction: SQLite's single writer orders it with every hold written.
    package func reserveSendSlot(_ bucket: String, interval: Duration, respecting buckets: [String]) async throws
        -> Duration?
    {
        try await writeJobs { jobs in
            if let hold = try JobsTransaction.latestHold(buckets, in: jobs.connection, now: jobs.now) {
                return hold - jobs.now
            }
            try jobs.hold(RateHold(bucket: bucket, for: interval))
            return nil
        }
    }

    package func hold(_ holds: [RateHold]) async throws {
        try await writeJobs { jobs in
            for hold in holds {
                try jobs.hold(hold)
            }
        }
    }
}

extension JobsTransaction {
    /// Holds a rate bucket for a time from now, keeping the later end of this and any hold it already
    /// has; and deletes a few holds that have ended.
    func hold(_ hold: RateHold) throws {
        try connection.execute(
            """
            INSERT INTO rate_holds (bucket, until) VALUES (?1, ?2)
            ON CONFLICT (bucket) DO UPDATE SET until = max(until, excluded.until)
            """,
            [.text(hold.bucket), .integer(hold.end(from: now).millisecondsSince1970)]
        )
        try connection.execute(
            "DELETE FROM rate_holds WHERE bucket IN (SELECT bucket FROM rate_holds WHERE until <= ?1 LIMIT 8)",
            [.integer(now.millisecondsSince1970)]
        )
    }

    /// The latest hold among `buckets` still in force at `now`.
    static func latestHold(_ buckets: [String], in connection: SQLiteConnection, now: Timestamp) throws -> Timestamp? {
        try buckets.compactMap { bucket in
            try connection.integer(
                "SELECT until FROM rate_holds WHERE bucket = ?1 AND until > ?2",
                [.text(bucket), .integer(now.millisecondsSince1970)]
            )
        }.max().map(Timestamp.init(millisecondsSince1970:))
    }
}
