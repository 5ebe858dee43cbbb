extension JobStore {
    /// Dead letters in the order they died, optionally of one queue or kind, and only those after `after`
    /// (the position of the last one of the page before).
    public func deadLetters(
        queue: String? = nil, kind: String? = nil, after: DeadLetterPosition? = nil, limit: Int = 100
    ) async throws -> [JobRecord] {
        try await storage.deadLetters(queue: queue, kind: kind, after: after, limit: limit)
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
        _ selection: DeadLetterSelection, perSecond: Int? = nil,
        progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
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
            redriven += try await storage.redrive(deadLetters: batch)
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
            purged += try await storage.purge(deadLetters: batch)
        }
        return purged
    }

    /// The dead letters a selection covers now, in the order they died, at most `limit`: what a purge or
    /// redrive of it would touch.
    /// - Throws: `QueueError.notFound` naming the ids that are not dead letters.
    public func deadLetters(_ selection: DeadLetterSelection, limit: Int = .max) async throws -> [JobRecord] {
        try await storage.jobs(ids: Array(try await deadLetterIDs(selection).prefix(limit))).filter {
            $0.state == .dead
        }
    }

    /// The ids a selection covers now, in the order they died: jobs that die later are not included, so a
    /// loop over them ends.
    /// - Throws: `QueueError.notFound` naming the ids that are not dead letters.
    public func deadLetterIDs(_ selection: DeadLetterSelection) async throws -> [Int64] {
        switch selection {
        case .ids(let ids):
            let states = Dictionary(
                try await storage.jobs(ids: ids).map { ($0.id, $0.state) }, uniquingKeysWith: { first, _ in first })
            let problems = ids.compactMap { id -> String? in
                switch states[id] {
                case .dead?: nil
                case nil: "there is no job \(id)"
                case let state?: "job \(id) is \(state.rawValue), not a dead letter"
                }
            }
            if !problems.isEmpty {
                throw QueueError(.notFound, problems.joined(separator: "; "))
            }
            return ids
        case .all: return try await storage.deadLetterIDs(queue: nil, deadFor: .zero)
        case .queue(let queue): return try await storage.deadLetterIDs(queue: queue, deadFor: .zero)
        case .olderThan(let age): return try await storage.deadLetterIDs(queue: nil, deadFor: age)
        }
    }
}
