import Foundation

extension PostgresJobStorage {
    package func holdRemaining(buckets: [String]) async throws -> Duration? {
        let clock = self.clock
        let rules = self.rules
        return try await database.perform { connection in
            let jobs = PostgresJobsTransaction(connection: connection, now: clock.now(), rules: rules)
            return try jobs.latestHold(buckets).map { $0 - jobs.now }
        }
    }

    package func reserveSendSlot(_ bucket: String, interval: Duration, respecting buckets: [String]) async throws
        -> Duration?
    {
        try await writeJobs { jobs in
            // Racing senders to one chat go one at a time; a hold on any of the buckets is written either
            // before this reads the holds, or after this send's slot is taken.
            try jobs.lockRateBuckets(exclusive: [bucket], shared: buckets.filter { $0 != bucket })
            if let hold = try jobs.latestHold(buckets) {
                return hold - jobs.now
            }
            try jobs.hold([RateHold(bucket: bucket, for: interval)])
            return nil
        }
    }

    package func hold(_ holds: [RateHold]) async throws {
        try await writeJobs { try $0.hold(holds) }
    }
}
