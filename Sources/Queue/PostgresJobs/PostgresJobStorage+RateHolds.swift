import Foundation

extension PostgresJobStorage {
    package func holdRemaining(buckets: [String]) async throws -> Duration? {
        guard !buckets.isEmpty else { return nil }
        return try await query { connection, time in
            try connection.execute(
                """
                SELECT max(until) - \(PostgresClockSQL.parameter(2)) FROM switchboard.rate_holds
                WHERE bucket = ANY($1) AND until > \(PostgresClockSQL.parameter(2))
                """,
                [.textArray(buckets), time.parameter]
            ).first { $0.optionalInt64(0) }.flatMap { $0 }.map { Duration.milliseconds($0) }
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
