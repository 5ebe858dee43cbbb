extension JobStore {
    /// Dead letters in the order they died, optionally of one queue or kind.
    public func deadLetters(queue: String? = nil, kind: String? = nil, limit: Int = 100) async throws -> [JobRecord] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(JobRecord.columns) FROM jobs WHERE state = 'dead' AND (?1 IS NULL OR queue = ?1) "
                    + "AND (?2 IS NULL OR kind = ?2) ORDER BY finished_at, id LIMIT ?3",
                [.optionalText(queue), .optionalText(kind), .integer(limit)],
                row: JobRecord.init
            )
        }
    }

    /// One dead letter with its error history.
    /// - Throws: `QueueError.notFound` when no dead letter has that id.
    public func deadLetter(id: Int64) async throws -> JobRecord {
        guard let record = try await deadLetters(.ids([id])).first else {
            throw QueueError(.notFound, "there is no job \(id)")
        }
        return record
    }

    /// Puts dead letters back to run, with their attempts reset; returns how many.
    ///
    /// A redriven job of an ordering group waits behind the group's live jobs, if it has any.
    /// Its dedupe key was released when it died and is not taken back.
    /// Each batch is its own transaction; cancelling the calling task stops between batches (with
    /// `CancellationError`), and what `progress` last reported stays redriven.
    /// - Parameters:
    ///   - perSecond: at most this many per second (paced with the store's clock); nil for no limit.
    ///   - progress: after each batch commits, how many are redriven so far and how many were selected.
    /// - Throws: `QueueError.notFound` naming the ids that are not dead letters, before anything changes.
    @discardableResult
    public func redriveDeadLetters(
        _ selection: DeadLetterSelection, perSecond: Int? = nil, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws -> Int {
        if let perSecond, perSecond < 1 {
            throw QueueError.invalid("rate", "must be at least 1 per second, got \(perSecond)")
        }
        let ids = try await deadLetterIDs(selection)
        var redriven = 0
        let batchSize = perSecond ?? 1_000
        for start in stride(from: 0, to: ids.count, by: batchSize) {
            try Task.checkCancellation()
            let batchStarted = clock.now()
            let batch = Array(ids[start..<min(start + batchSize, ids.count)])
            redriven += try await writeJobs { jobs in try batch.count { try jobs.redrive(deadLetter: $0) } }
            progress(redriven, ids.count)
            if perSecond != nil, start + batchSize < ids.count {
                let elapsed = clock.now() - batchStarted
                try await clock.sleep(for: .seconds(1) - elapsed)
            }
        }
        return redriven
    }

    /// Deletes dead letters for good, in bounded transactions; returns how many.
    /// - Throws: `QueueError.notFound` naming the ids that are not dead letters, before anything changes.
    @discardableResult
    public func purgeDeadLetters(_ selection: DeadLetterSelection) async throws -> Int {
        let ids = try await deadLetterIDs(selection)
        var purged = 0
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let batch = Array(ids[start..<min(start + 1_000, ids.count)])
            purged += try await database.write { connection in
                try batch.reduce(0) { total, id in
                    total + (try connection.execute("DELETE FROM jobs WHERE id = ?1 AND state = 'dead'", [.integer(id)]))
                }
            }
        }
        return purged
    }

    /// The dead letters a selection covers now, in the order they died, at most `limit`: what a purge or
    /// redrive of it would touch.
    /// - Throws: `QueueError.notFound` naming the ids that are not dead letters.
    public func deadLetters(_ selection: DeadLetterSelection, limit: Int = .max) async throws -> [JobRecord] {
        let ids = try await deadLetterIDs(selection)
        return try await database.read { connection in
            try ids.prefix(limit).compactMap { id in
                try connection.queryFirst(
                    "SELECT \(JobRecord.columns) FROM jobs WHERE id = ?1 AND state = 'dead'", [.integer(id)],
                    row: JobRecord.init
                )
            }
        }
    }

    /// The ids a selection covers now, in the order they died: jobs that die later are not included, so a
    /// loop over them ends.
    /// - Throws: `QueueError.notFound` naming the ids that are not dead letters.
    public func deadLetterIDs(_ selection: DeadLetterSelection) async throws -> [Int64] {
        let now = clock.now()
        return try await database.read { connection in
            switch selection {
            case .ids(let ids):
                let problems = try ids.compactMap { id -> String? in
                    switch try connection.queryFirst("SELECT state FROM jobs WHERE id = ?1", [.integer(id)], row: { $0.text(0) }) {
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
                return try connection.query(
                    "SELECT id FROM jobs WHERE state = 'dead' AND finished_at <= ?1 AND (?2 IS NULL OR queue = ?2) "
                        + "ORDER BY finished_at, id",
                    [.integer(cutoff.millisecondsSince1970), .optionalText(queue)]
                ) { $0.int64(0) }
            }
        }
    }
}
extension JobsTransaction {
    /// Puts one dead letter back to run; false when it is no longer a dead letter.
    func redrive(deadLetter id: Int64) throws -> Bool {
        guard let group = try connection.queryFirst(
            "SELECT group_key FROM jobs WHERE id = ?1 AND state = 'dead'", [.integer(id)], row: { $0.optionalText(0) }
        ) else {
            return false
        }
        let state: JobState = try group.map(groupHasLiveJob) == true ? .blocked : .ready
        try connection.execute(
            """
            UPDATE jobs SET state = ?2, attempts = 0, run_at = ?3, dead_reason = NULL, finished_at = NULL,
                            updated_at = ?3
            WHERE id = ?1
            """,
            [.integer(id), .text(state.rawValue), .integer(now.millisecondsSince1970)]
        )
        return true
    }
}
