import Foundation

/// The durable job queue: enqueue, claim under fenced leases, settle, inspect.
///
/// A store speaks to one database through its backend (`JobStorage`); any number of processes may open
/// stores on the same database. Every method commits before it returns, so a result in hand means the
/// change is durable at the store's `Durability`. The store keeps the rules that need no database:
/// checking jobs before anything is written, pacing a redrive, batching a purge.
public final class JobStore: Sendable {
    package let storage: any JobStorage
    let options: StoreOptions

    package init(storage: any JobStorage, options: StoreOptions) {
        self.storage = storage
        self.options = options
    }

    /// Opens the database at `location` (a SQLite file, or a PostgreSQL database), creating and migrating
    /// it as `options.access` allows.
    ///
    /// - Throws: `QueueError` when the database is missing (unless the access is `.create`), belongs to
    ///   another application, or has a newer schema (or, read-only, an older one), or when a PostgreSQL
    ///   server cannot be reached; `SQLiteError` or `PostgresError` when it cannot be opened or read.
    public static func open(_ location: StoreLocation, options: StoreOptions = StoreOptions()) async throws
        -> JobStore
    {
        let storage: any JobStorage =
            switch location {
            case .sqlite(let path): try await SQLiteJobStorage.open(path: path, options: options)
            case .postgres(let url): try await PostgresJobStorage.open(url: url, options: options)
            }
        return JobStore(storage: storage, options: options)
    }

    /// The database this store was opened on: its path, or its URL with the password masked.
    public var path: String { storage.location }

    /// The process's clock: what this process waits by. On SQLite it is also the time every lease,
    /// backoff and expiry is measured against; on PostgreSQL those use the server's clock (unless
    /// `StoreOptions.usesServerClock` is off), and times the store reports are the server's.
    public var clock: any WallClock { options.clock }

    /// The other modules' tables the store was opened with.
    package var schemaParts: [SchemaPart] { options.schemaParts }

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
        try await enqueue(jobs, with: [])
    }

    /// Enqueues jobs and writes `records` in the same transaction: all of it is written, or none.
    /// - Throws: `QueueError.invalidArgument` naming the field of the first invalid job or record, before
    ///   anything is written.
    @discardableResult
    package func enqueue(_ jobs: [NewJob], with records: [any TransactionRecord]) async throws -> [EnqueueResult] {
        for job in jobs {
            try job.validate()
            try checkTables(of: job)
        }
        for record in records {
            try record.validate()
            try checkTables(named: record.schemaPartName)
        }
        return try await storage.enqueue(jobs, records: records)
    }

    /// Refuses a job whose attachments need tables this store was not opened with.
    private func checkTables(of job: NewJob) throws {
        for attachment in job.attachments {
            try checkTables(named: attachment.schemaPartName, field: "attachments")
        }
    }

    /// Refuses rows for tables this store was not opened with.
    private func checkTables(named part: String, field: String = "records") throws {
        guard schemaParts.contains(where: { $0.name == part }) else {
            throw QueueError.invalid(field, "need the \(part) tables, which this store was opened without")
        }
    }

    /// Deletes a live dedupe key so the next enqueue with it is accepted; false when no such key exists.
    @discardableResult
    public func releaseDedupeKey(_ key: String) async throws -> Bool {
        try await storage.releaseDedupeKey(key)
    }

    // MARK: Work

    /// A settlement whose follow-up jobs are invalid becomes a non-retryable failure: a handler's bug is
    /// dead-lettered where an operator sees it, instead of failing every exchange the worker retries.
    private func refusingInvalidEffects(_ settlement: Settlement) -> Settlement {
        do {
            for job in settlement.effects.enqueue {
                try job.validate()
                try checkTables(of: job)
            }
            return settlement
        } catch {
            return Settlement(settlement.lease, .fail(error: "invalid follow-up job: \(error)", retryable: false))
        }
    }

    /// Settles, heartbeats and claims in one transaction; see `WorkerExchange`.
    public func exchange(_ exchange: WorkerExchange) async throws -> WorkerExchangeResult {
        var checked = exchange
        checked.settlements = exchange.settlements.map(refusingInvalidEffects)
        return try await storage.exchange(checked)
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

    /// Saves `data` as the job's checkpoint, durably, replacing the one before: progress that the job's
    /// next attempt (after a crash, a lost lease or a failure) finds in `ClaimedJob.checkpoint`, and that
    /// its dead-letter notice inherits. A lease that is no longer held saves nothing.
    /// - Throws: `QueueError.leaseLost` when the lease expired or the job was claimed again.
    public func checkpoint(_ lease: Lease, _ data: Data) async throws {
        guard try await storage.checkpoint(lease, data) else {
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
        try await storage.pruneCompleted(limit: limit)
    }

    /// Deletes at most `limit` expired dedupe keys; returns how many.
    @discardableResult
    public func pruneExpiredDedupeKeys(limit: Int = 1_000) async throws -> Int {
        try await storage.pruneExpiredDedupeKeys(limit: limit)
    }

    /// Checks that the database could take new data now: takes `bytes` of new space where it writes its
    /// data (beside a SQLite file; in a PostgreSQL database's tablespace) and gives it back.
    ///
    /// A transaction that changes no new pages succeeds on a full disk, and every write that adds rows
    /// fails: a readiness check needs this to tell the two apart.
    /// - Throws: `StorageError` (SQLite: the filesystem's reason, `ENOSPC`) or `PostgresError` (SQLSTATE
    ///   53100, disk full) when the space cannot be had; whatever reaching the database throws.
    public func checkRoom(bytes: Int) async throws {
        try await storage.checkRoom(bytes: bytes)
    }

    /// The schema version the database is at.
    public func schemaVersion() async throws -> Int {
        try await storage.schemaVersion()
    }

    /// A number that changes whenever another process commits work to the database: cheap to read, so an
    /// idle worker polls it instead of taking the write lock to look for work.
    public func changeCounter() async throws -> Int64 {
        try await storage.changeCounters().work
    }

    /// The counters a worker polls: one for new work, one for leases taken away (see `ChangeCounters`).
    /// On SQLite both are the file's `data_version` (any commit by another process); on PostgreSQL, what
    /// the `LISTEN` connection heard, with no round trip.
    public func changeCounters() async throws -> ChangeCounters {
        try await storage.changeCounters()
    }

    /// Those of `leases` that are no longer held: their jobs were cancelled, or expired and were claimed
    /// again. A read that takes no lock: a running worker asks it when `ChangeCounters.leases` moves, to
    /// stop the work of a cancelled job within a second instead of at its next heartbeat.
    public func lostLeases(_ leases: [Lease]) async throws -> [Lease] {
        guard !leases.isEmpty else { return [] }
        return try await storage.lostLeases(leases)
    }
}
