import Foundation

extension PostgresJobStorage {
    package func holdUntil(buckets: [String]) async throws -> Timestamp? {
        guard !buckets.isEmpty else { return nil }
        let clock = self.clock
        return try await query { connection, time in
            let found = try connection.execute(
                """
                SELECT max(until), \(PostgresClockSQL.parameter(2)) FROM switchboard.rate_holds
                WHERE bucket = ANY($1) AND until > \(PostgresClockSQL.parameter(2))
                """,
                [.textArray(buckets), time.parameter]
            ).first { ($0.optionalInt64(0), $0.int64(1)) }
            guard let (until, at) = found, let until else { return nil }
            // On this process's clock: as far after its now as the hold ends after the server's.
            return clock.now() + (Timestamp(millisecondsSince1970: until) - Timestamp(millisecondsSince1970: at))
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
            // A hold is given on this process's clock, which `hold` moves onto the server's.
            try jobs.hold([RateHold(bucket: bucket, until: jobs.now - jobs.clockOffset + interval)])
            return nil
        }
    }

    package func hold(_ holds: [RateHold]) async throws {
        try await writeJobs { try $0.hold(holds) }
    }
}
