extension SQLiteJobStorage {
    package func stats() async throws -> QueueStats {
        try await read { connection, now in
            let at = SQLValue.integer(now.millisecondsSince1970)
            var byQueue: [String: [JobState: Int]] = [:]
            for (queue, state, count) in try connection.query(
                "SELECT queue, state, count(*) FROM jobs GROUP BY queue, state",
                row: { ($0.text(0), try JobState(stored: $0.text(1)), Int($0.int64(2))) }
            ) {
                byQueue[queue, default: [:]][state] = count
            }
            let oldestByQueue = Dictionary(
                uniqueKeysWithValues: try connection.query(
                    """
                    SELECT queue, min(run_at) FROM jobs
                    WHERE state = 'ready' OR (state = 'scheduled' AND run_at <= ?1) GROUP BY queue
                    """, [at]
                ) { ($0.text(0), now - Timestamp(millisecondsSince1970: $0.int64(1))) })
            let oldestReady = [
                try connection.integer("SELECT min(run_at) FROM jobs WHERE state = 'ready'"),
                try connection.integer("SELECT min(run_at) FROM jobs WHERE state = 'scheduled' AND run_at <= ?1", [at]),
            ].compactMap { $0 }.min()
            let count = { (sql: String, values: [SQLValue]) in Int(try connection.integer(sql, values) ?? 0) }
            return QueueStats(
                measuredAt: now,
                queues: byQueue.keys.sorted().map {
                    QueueStats.QueueCounts(queue: $0, counts: byQueue[$0]!, oldestReadyAge: oldestByQueue[$0])
                },
                oldestReadyAge: oldestReady.map { now - Timestamp(millisecondsSince1970: $0) },
                leasesInFlight: try count(
                    "SELECT count(*) FROM jobs WHERE state = 'leased' AND lease_expires_at > ?1", [at]),
                leasesExpired: try count(
                    "SELECT count(*) FROM jobs WHERE state = 'leased' AND lease_expires_at <= ?1", [at]),
                deadLetters: try count("SELECT count(*) FROM jobs WHERE state = 'dead'", []),
                dedupeKeysHeld: try count("SELECT count(*) FROM dedupe_keys WHERE expires_at > ?1", [at])
            )
        }
    }

    package func jobs(state: JobState?, queue: String?, kind: String?, after: Int64?, limit: Int) async throws
        -> [JobRecord]
    {
        try await read { connection, _ in
            try connection.query(
                "SELECT \(JobRecord.columns) FROM jobs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR queue = ?2) "
                    + "AND (?3 IS NULL OR kind = ?3) AND id > ?5 ORDER BY id LIMIT ?4",
                [
                    .optionalText(state?.rawValue), .optionalText(queue), .optionalText(kind), .integer(limit),
                    .integer(after ?? 0),
                ],
                row: JobRecord.init
            )
        }
    }

    package func jobs(ids: [Int64]) async throws -> [JobRecord] {
        try await read { connection, _ in
            try ids.compactMap { id in
                try connection.queryFirst(
                    "SELECT \(JobRecord.columns) FROM jobs WHERE id = ?1", [.integer(id)], row: JobRecord.init)
            }
        }
    }

    package func blocked(inGroup group: String, limit: Int) async throws -> [JobRecord] {
        try await read { connection, _ in
            try connection.query(
                "SELECT \(JobRecord.columns) FROM jobs WHERE group_key = ?1 AND state = 'blocked' ORDER BY id LIMIT ?2",
                [.text(group), .integer(limit)],
                row: JobRecord.init
            )
        }
    }

    package func hasLiveJobs(inGroup group: String) async throws -> Bool {
        try await read { connection, _ in
            try connection.queryFirst(
                "SELECT 1 FROM jobs WHERE group_key = ?1 AND state IN ('ready', 'scheduled', 'leased', 'blocked') LIMIT 1",
                [.text(group)]
            ) { _ in true } ?? false
        }
    }

    package func hasRunnableOrLeasedJobs(queues: [String], kinds: [String]?) async throws -> Bool {
        let kindFilter = KindFilter(kinds, firstParameter: 3)
        return try await read { connection, now in
            for queue in queues {
                let found = try connection.queryFirst(
                    """
                    SELECT 1 FROM jobs WHERE queue = ?1 AND (state = 'leased'
                        OR ((state = 'ready' OR (state = 'scheduled' AND run_at <= ?2))
                            AND NOT EXISTS (SELECT 1 FROM paused_queues WHERE queue = ?1)))\(kindFilter.condition)
                    LIMIT 1
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

    package func hasLiveJobs(queues: [String], kinds: [String]?) async throws -> Bool {
        let kindFilter = KindFilter(kinds, firstParameter: 2)
        return try await read { connection, _ in
            try queues.contains { queue in
                try connection.queryFirst(
                    """
                    SELECT 1 FROM jobs WHERE queue = ?1 AND (state = 'leased'
                        OR (state IN ('ready', 'scheduled', 'blocked')
                            AND NOT EXISTS (SELECT 1 FROM paused_queues WHERE queue = ?1)))\(kindFilter.condition)
                    LIMIT 1
                    """,
                    [.text(queue)] + kindFilter.values
                ) { _ in true } == true
            }
        }
    }

    package func pausedQueues() async throws -> [String: Timestamp] {
        try await read { connection, _ in
            Dictionary(
                uniqueKeysWithValues: try connection.query("SELECT queue, paused_at FROM paused_queues") {
                    ($0.text(0), Timestamp(millisecondsSince1970: $0.int64(1)))
                })
        }
    }

    package func workers() async throws -> [WorkerRecord] {
        try await read { connection, _ in
            try connection.query(
                "SELECT \(WorkerRecord.columns) FROM workers ORDER BY started_at DESC, id", row: WorkerRecord.init)
        }
    }

    package func schedules() async throws -> [ScheduleRecord] {
        try await read { connection, _ in
            try connection.query(
                "SELECT \(ScheduleRecord.columns) FROM schedules ORDER BY name", row: ScheduleRecord.init)
        }
    }
}
