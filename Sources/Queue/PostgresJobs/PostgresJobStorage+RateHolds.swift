import Foundation

extension PostgresJobStorage {
    package func holdUntil(buckets: [String]) async throws -> Timestamp? {
        let clock = self.clock
        let rules = self.rules
        return try await database.perform { connection in
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
