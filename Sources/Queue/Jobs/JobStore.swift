import Foundation

/// The durable job queue: enqueue, claim under fenced leases, settle, inspect.
///
/// One store holds one SQLite connection; any number of processes may open stores on the same file.
/// Every method runs its SQL on the connection's own thread and commits before it returns, so a
/// result in hand means the change is durable at the store's `Durability`.
public final class JobStore: Sendable {
    let database: Database
    let options: StoreOptions
    /// The path this store was opened at.
    public let path: String

    private init(database: Database, options: StoreOptions, path: String) {
        self.database = database
        self.options = options
        self.path = path
    }

    /// Opens the database at `path`, creating and migrating it as needed.
    ///
    /// - Throws: `QueueError` when the file is missing (unless the access is `.create`), belongs to another
    ///   application, or has a newer schema (or, read-only, an older one); `SQLiteError` when it cannot be
    ///   opened or read.
    public static func open(path: String, options: StoreOptions = StoreOptions()) async throws -> JobStore {
        let mode: SQLiteConnection.OpenMode = switch options.access {
        case .create: .createIfMissing
        case .existing: .mustExist
        case .readOnly: .readOnly
        }
        let database = try await Database.open(
            path: path,
            mode: mode,
            durability: options.durability,
            lockTimeout: options.lockTimeout,
            schema: .current
        )
        return JobStore(database: database, options: options, path: path)
    }

    /// The store's clock: the time every lease, backoff and expiry is measured against.
    public var clock: any WallClock { options.clock }

    /// Runs `body` in one write transaction over the job tables, at one instant of the store's clock.
    func writeJobs<T: Sendable>(_ body: @escaping @Sendable (JobsTransaction) throws -> T) async throws -> T {
        let clock = options.clock
        let rules = options.rules
        return try await database.write { connection in
            try body(JobsTransaction(connection: connection, now: clock.now(), rules: rules))
        }
    }

    // MARK: Enqueue

    /// Enqueues one job; see `enqueue(_:)` for a batch.
    @discardableResult
    public func enqueue(_ job: NewJob) async throws -> EnqueueResult {
        try await enqueue([job])[0]
    }

    /// Enqueues jobs in one transaction: all are written, or (on an error) none.
    ///
    /// A job whose dedupe key is live is not written; its result is `.duplicate` with the id of the
    /// job that holds the key. Each transaction also prunes a bounded number of expired keys.
    /// - Throws: `QueueError.invalidArgument` naming the field of the first invalid job, before anything
    ///   is written.
    @discardableResult
    public func enqueue(_ jobs: [NewJob]) async throws -> [EnqueueResult] {
        for job in jobs {
            try job.validate()
        }
        let keyCount = jobs.count { $0.dedupe != nil }
        return try await writeJobs { transaction in
            var liveGroups: Set<String> = []
            let results = try jobs.map { try transaction.enqueue($0, liveGroups: &liveGroups) }
            if keyCount > 0 {
                try transaction.pruneExpiredDedupeKeys(limit: 2 * keyCount + 16)
            }
            return results
        }
    }

    /// Deletes a live dedupe key so the next enqueue with it is accepted; false when no such key exists.
    @discardableResult
    public func releaseDedupeKey(_ key: String) async throws -> Bool {
        try await database.write { connection in
            try connection.execute("DELETE FROM dedupe_keys WHERE key = ?1", [.text(key)]) == 1
        }
    }

    // MARK: Work

    /// A settlement whose follow-up jobs are invalid becomes a non-retryable failure: a handler's bug is
    /// dead-lettered where an operator sees it, instead of failing every exchange the worker retries.
    private static func refusingInvalidEffects(_ settlement: Settlement) -> Settlement {
        do {
            for job in settlement.effects.enqueue {
                try job.validate()
            }
            return settlement
        } catch {
            return Settlement(settlement.lease, .fail(error: "invalid follow-up job: \(error)", retryable: false))
        }
    }

    /// Settles, heartbeats and claims in one transaction; see `WorkerExchange`.
    public func exchange(_ exchange: WorkerExchange) async throws -> WorkerExchangeResult {
        var checked = exchange
        checked.settlements = exchange.settlements.map(Self.refusingInvalidEffects)
        let request = checked
        return try await writeJobs { jobs in
            var liveGroups: Set<String> = []
            let settled = try request.settlements.map { try jobs.settle($0, liveGroups: &liveGroups) }
            let lost = try request.heartbeats.filter { try !jobs.heartbeat($0, leaseDuration: request.leaseDuration) }
            let claimed = try jobs.claim(
                queues: request.queues, kinds: request.kinds, limit: request.claimLimit,
                leaseDuration: request.leaseDuration, workerID: request.workerID
            )
            if !settled.isEmpty {
                try jobs.pruneCompleted(limit: 2 * settled.count + 16)
            }
            let nextDueAt = claimed.count < request.claimLimit ? try jobs.nextDueAt(kinds: request.kinds) : nil
            return WorkerExchangeResult(settled: settled, lostLeases: lost, claimed: claimed, nextDueAt: nextDueAt)
        }
    }

    /// Leases up to `limit` runnable jobs from `queues`, of `kinds` (nil for any): highest priority first,
    /// then oldest.
    ///
    /// Jobs whose leases expired are recovered first: back to ready, or dead-lettered on their last attempt.
    public func claim(
        queues: [String], kinds: [String]? = nil, limit: Int, leaseDuration: Duration, workerID: String
    ) async throws -> [ClaimedJob] {
        try await exchange(
            WorkerExchange(
                workerID: workerID, leaseDuration: leaseDuration, queues: queues, kinds: kinds, claimLimit: limit
            )
        ).claimed
    }

    /// Extends a lease to `leaseDuration` from now.
    /// - Throws: `QueueError.leaseLost` when the lease expired or the job was claimed again.
    public func heartbeat(_ lease: Lease, leaseDuration: Duration) async throws {
        let lost = try await exchange(
            WorkerExchange(workerID: "", leaseDuration: leaseDuration, heartbeats: [lease])
        ).lostLeases
        if !lost.isEmpty {
            throw QueueError.leaseLost(lease)
        }
    }

    /// Completes a job, with its effects in the same transaction.
    /// - Throws: `QueueError.leaseLost` when the lease is stale; nothing changes then.
    @discardableResult
    public func complete(_ lease: Lease, effects: SettlementEffects = .none) async throws -> SettlementResult {
        try await settle(Settlement(lease, .complete, effects: effects))
    }

    /// Records a failed attempt: retried after backoff, or dead-lettered when not retryable or exhausted.
    /// - Throws: `QueueError.leaseLost` when the lease is stale; nothing changes then.
    @discardableResult
    public func fail(_ lease: Lease, error: String, retryable: Bool) async throws -> SettlementResult {
        try await settle(Settlement(lease, .fail(error: error, retryable: retryable)))
    }

    /// Returns a job to run after `delay` without spending an attempt.
    /// - Throws: `QueueError.leaseLost` when the lease is stale; nothing changes then.
    @discardableResult
    public func snooze(_ lease: Lease, for delay: Duration) async throws -> SettlementResult {
        try await settle(Settlement(lease, .snooze(delay)))
    }

    private func settle(_ settlement: Settlement) async throws -> SettlementResult {
        let result = try await exchange(
            WorkerExchange(workerID: "", leaseDuration: .zero, settlements: [settlement])
        ).settled[0]
        if result == .leaseLost {
            throw QueueError.leaseLost(settlement.lease)
        }
        return result
    }

    /// Deletes at most `limit` completed jobs older than the retention window; returns how many.
    @discardableResult
    public func pruneCompleted(limit: Int = 1_000) async throws -> Int {
        try await writeJobs { try $0.pruneCompleted(limit: limit) }
    }

    /// Deletes at most `limit` expired dedupe keys; returns how many.
    @discardableResult
    public func pruneExpiredDedupeKeys(limit: Int = 1_000) async throws -> Int {
        try await writeJobs { try $0.pruneExpiredDedupeKeys(limit: limit) }
    }

    /// The schema version the database is at.
    public func schemaVersion() async throws -> Int {
        try await database.perform { connection in
            Int(try connection.integer("PRAGMA user_version") ?? 0)
        }
    }

    /// A number that changes whenever another connection commits to the database.
    ///
    /// Cheap to read (no lock, no I/O beyond shared memory), so an idle worker polls it instead of
    /// taking the write lock to look for work.
    public func changeCounter() async throws -> Int64 {
        try await database.perform { connection in
            try connection.queryFirst("PRAGMA data_version") { $0.int64(0) } ?? 0
        }
    }
}
