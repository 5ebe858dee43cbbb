import Foundation

extension JobStore {
    /// Counts per queue and state, the oldest runnable job's age, leases, dead letters and dedupe keys.
    public func stats() async throws -> QueueStats {
        let now = clock.now()
        return try await database.read { connection in
            let at = SQLValue.integer(now.millisecondsSince1970)
            var byQueue: [String: [JobState: Int]] = [:]
            for (queue, state, count) in try connection.query(
                "SELECT queue, state, count(*) FROM jobs GROUP BY queue, state",
                row: { ($0.text(0), JobState(rawValue: $0.text(1)), Int($0.int64(2))) }
            ) {
                if let state {
                    byQueue[queue, default: [:]][state] = count
                }
            }
            let oldestReady = [
                try connection.integer("SELECT min(run_at) FROM jobs WHERE state = 'ready'"),
                try connection.integer("SELECT min(run_at) FROM jobs WHERE state = 'scheduled' AND run_at <= ?1", [at]),
            ].compactMap { $0 }.min()
            let count = { (sql: String, values: [SQLValue]) in Int(try connection.integer(sql, values) ?? 0) }
            return QueueStats(
                measuredAt: now,
                queues: byQueue.keys.sorted().map { QueueStats.QueueCounts(queue: $0, counts: byQueue[$0]!) },
                oldestReadyAge: oldestReady.map { now - Timestamp(millisecondsSince1970: $0) },
                leasesInFlight: try count("SELECT count(*) FROM jobs WHERE state = 'leased' AND lease_expires_at > ?1", [at]),
                leasesExpired: try count("SELECT count(*) FROM jobs WHERE state = 'leased' AND lease_expires_at <= ?1", [at]),
                deadLetters: try count("SELECT count(*) FROM jobs WHERE state = 'dead'", []),
                dedupeKeysHeld: try count("SELECT count(*) FROM dedupe_keys WHERE expires_at > ?1", [at])
            )
        }
    }

    /// Jobs in id order, optionally only those in one state, queue or kind.
    public func jobs(state: JobState? = nil, queue: String? = nil, kind: String? = nil, limit: Int = 100) async throws
        -> [JobRecord]
    {
        try await database.read { connection in
            try connection.query(
                "SELECT \(JobRecord.columns) FROM jobs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR queue = ?2) "
                    + "AND (?3 IS NULL OR kind = ?3) ORDER BY id LIMIT ?4",
                [.optionalText(state?.rawValue), .optionalText(queue), .optionalText(kind), .integer(limit)],
                row: JobRecord.init
            )
        }
    }

    /// One job, whatever its state; nil when there is none with that id (completed jobs are deleted
    /// unless a retention window is set).
    public func job(id: Int64) async throws -> JobRecord? {
        try await database.read { connection in
            try connection.queryFirst(
                "SELECT \(JobRecord.columns) FROM jobs WHERE id = ?1", [.integer(id)], row: JobRecord.init
            )
        }
    }

    /// The jobs waiting behind a group's head, in the order they will run, at most `limit`.
    public func blocked(inGroup group: String, limit: Int) async throws -> [JobRecord] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(JobRecord.columns) FROM jobs WHERE group_key = ?1 AND state = 'blocked' ORDER BY id LIMIT ?2",
                [.text(group), .integer(limit)],
                row: JobRecord.init
            )
        }
    }

    /// True while some job in `queues`, of `kinds` (nil for any), is runnable now or leased: what a draining
    /// worker waits on.
    public func hasRunnableOrLeasedJobs(queues: [String], kinds: [String]? = nil) async throws -> Bool {
        let now = clock.now()
        let kindFilter = KindFilter(kinds, firstParameter: 3)
        return try await database.read { connection in
            for queue in queues {
                let found = try connection.queryFirst(
                    """
                    SELECT 1 FROM jobs WHERE queue = ?1 AND (state IN ('ready', 'leased')
                        OR (state = 'scheduled' AND run_at <= ?2))\(kindFilter.condition) LIMIT 1
                    """,
                    [.text(queue), .integer(now.millisecondsSince1970)] + kindFilter.values
                ) { _ in true }
                if found == true {
                    return true
                }
            }
            return false
        }
    }
}
