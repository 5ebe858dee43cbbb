import Foundation

/// A backend's write transaction over the job tables, batch by batch: what the rounds every backend
/// runs alike (an enqueue, a worker's exchange) are made of. Each backend writes these its own way;
/// the rounds are written once, below.
protocol JobsWriting {
    /// The transaction's instant of the store's clock.
    var now: Timestamp { get }
    /// Writes the jobs that are not duplicates, with their keys and attachments.
    func enqueue(_ jobs: [NewJob]) throws -> [EnqueueResult]
    /// Applies each settlement whose lease is still held, with its effects; the others are `.leaseLost`.
    func settle(_ settlements: [Settlement]) throws -> [SettlementResult]
    /// Extends the leases still held; returns those no longer held.
    func heartbeat(_ leases: [Lease], leaseDuration: Duration) throws -> [Lease]
    /// Notes that the work of these lost leases has stopped: a cancelled job whose attempt ran under one
    /// no longer waits for that lease's end (a redriven one waiting for it becomes ready).
    func confirmStopped(_ leases: [Lease]) throws
    /// Replaces the checkpoint of a job whose lease is still held; false when it is not.
    func checkpoint(_ lease: Lease, _ data: Data) throws -> Bool
    /// Moves at most `limit` scheduled jobs whose run-at has come to `ready`, earliest first.
    func promoteDueScheduled(limit: Int) throws
    /// Ends at most `limit` attempts whose leases ran out: back to ready, or dead-lettered on the last one.
    func recoverExpiredLeases(limit: Int) throws
    /// Leases up to `limit` ready jobs of `queues` and `kinds` (nil for any), highest priority first, then
    /// oldest; `queues` is not empty, `kinds` nil or not empty, `limit` positive.
    func lease(queues: [String], kinds: [String]?, limit: Int, leaseDuration: Duration, workerID: String) throws
        -> [ClaimedJob]
    /// Deletes at most `limit` completed jobs past their retention.
    @discardableResult func pruneCompleted(limit: Int) throws -> Int
    /// Deletes at most `limit` expired dedupe keys.
    @discardableResult func pruneExpiredDedupeKeys(limit: Int) throws -> Int
    /// When the next scheduled job of `kinds` falls due or lease expires, if any.
    func nextDueAt(kinds: [String]?) throws -> Timestamp?
    /// Dead-letters a live job as `cancelled` (its lease, if any, is lost, and its holder told where the
    /// backend can tell) and promotes its group's next job; returns the state it was in, nil when there is
    /// no such job. A leased job keeps its lease's expiry: its attempt may run until then, unless its
    /// worker confirms the stop sooner (`confirmStopped`).
    func cancel(_ id: Int64) throws -> JobState?
    /// Makes a scheduled job ready now (unless it waits for a cancelled attempt to stop), or redrives a
    /// dead one; returns the state it was in.
    func runNow(_ id: Int64) throws -> JobState?
    /// Which of `queues` are paused.
    func pausedQueues(among queues: [String]) throws -> Set<String>
    /// Pauses or resumes a queue; false when it already was.
    func setPaused(_ queue: String, _ paused: Bool) throws -> Bool
    /// Writes a worker's row, seen now; and deletes a few rows of workers gone or stale for a day.
    func register(_ registration: WorkerRegistration) throws
    /// At most `limit` schedules whose next tick has come, locked against other firers where the
    /// backend has row locks, each with that tick.
    func dueSchedules(limit: Int) throws -> [(Schedule, tick: Timestamp)]
    /// Sets when a schedule fires next (nil: never).
    func setNextRun(_ name: String, _ next: Timestamp?) throws
    /// Adds a schedule, or replaces one of its name when `replacing`; false when one of its name exists
    /// and is kept.
    func addSchedule(_ schedule: Schedule, nextRunAt: Timestamp?, replacing: Bool) throws -> Bool
    /// Deletes a schedule; false when there is none of that name.
    func removeSchedule(_ name: String) throws -> Bool
}

extension JobsWriting {
    /// Leases up to `limit` runnable jobs of `kinds` (nil for any), highest priority first, then oldest;
    /// first makes due scheduled jobs ready and recovers expired leases, a bounded number of each.
    func claim(queues: [String], kinds: [String]?, limit: Int, leaseDuration: Duration, workerID: String) throws
        -> [ClaimedJob]
    {
        guard limit > 0, !queues.isEmpty, kinds?.isEmpty != true else { return [] }
        let sweep = max(limit, 64)
        try fireDueSchedules(limit: 8)
        try promoteDueScheduled(limit: sweep)
        try recoverExpiredLeases(limit: sweep)
        let paused = try pausedQueues(among: queues)
        let claimable = queues.filter { !paused.contains($0) }
        guard !claimable.isEmpty else { return [] }
        return try lease(
            queues: claimable, kinds: kinds, limit: limit, leaseDuration: leaseDuration, workerID: workerID)
    }

    /// Enqueues one job for each due schedule's tick (a duplicate when another firer got there first) and
    /// moves the schedule to its next tick after now: ticks missed meanwhile fire once, as this one.
    func fireDueSchedules(limit: Int) throws {
        for (schedule, tick) in try dueSchedules(limit: limit) {
            _ = try enqueueAndPrune([schedule.job(forTickAt: tick)])
            try setNextRun(schedule.name, schedule.cron.nextTick(after: now, in: schedule.timeZone))
        }
    }

    /// Enqueues `jobs`; when any carries a dedupe key, also deletes a bounded number of expired keys.
    func enqueueAndPrune(_ jobs: [NewJob]) throws -> [EnqueueResult] {
        let results = try enqueue(jobs)
        let keyCount = jobs.count { $0.dedupe != nil }
        if keyCount > 0 {
            try pruneExpiredDedupeKeys(limit: 2 * keyCount + 16)
        }
        return results
    }

    /// A worker's round: its settlements, its lease renewals and its claims, with bounded pruning, and
    /// when it claimed less than it asked for, how long until more work falls due. The stops of lost
    /// leases it reports (rare: after a cancel) cost a statement only when there are some.
    func exchange(_ request: WorkerExchange) throws -> WorkerExchangeResult {
        let settled = try settle(request.settlements)
        // A settlement is sent once its job's work has ended: one refused for its lease confirms that stop.
        let stopped = request.stopped + zip(request.settlements, settled).filter { $0.1 == .leaseLost }.map(\.0.lease)
        if !stopped.isEmpty {
            try confirmStopped(stopped)
        }
        let lost = try heartbeat(request.heartbeats, leaseDuration: request.leaseDuration)
        let claimed = try claim(
            queues: request.queues, kinds: request.kinds, limit: request.claimLimit,
            leaseDuration: request.leaseDuration, workerID: request.workerID
        )
        if !settled.isEmpty {
            try pruneCompleted(limit: 2 * settled.count + 16)
        }
        if let registration = request.registration {
            try register(registration)
        }
        let nextDueAt = claimed.count < request.claimLimit ? try nextDueAt(kinds: request.kinds) : nil
        return WorkerExchangeResult(
            settled: settled, lostLeases: lost, claimed: claimed, nextDueIn: nextDueAt.map { max($0 - now, .zero) })
    }
}

/// A backend whose job-table writes are `JobsWriting` transactions: the calls that read the same on every
/// such backend are written once, here.
protocol JobsWritingStorage: JobStorage {
    associatedtype Transaction: JobsWriting & JobWriteTransaction
    /// Runs `body` in one write transaction over the job tables, at one instant of the store's clock;
    /// `count` is how many new jobs it is about to write, for a backend that draws their ids up front.
    func writeJobs<T: Sendable>(reservingIDs count: Int, _ body: @escaping @Sendable (Transaction) throws -> T)
        async throws -> T
}

extension JobsWritingStorage {
    /// Runs `body` in one write transaction over the job tables, at one instant of the store's clock.
    func writeJobs<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        try await writeJobs(reservingIDs: 0, body)
    }

    package func enqueue(_ jobs: [NewJob], records: [any TransactionRecord]) async throws -> [EnqueueResult] {
        try await enqueueInTransaction(jobs, records: records)
    }

    /// Enqueues `jobs` and writes `records` in one `JobsWriting` transaction: the way every enqueue can
    /// take (a backend may have a quicker one for some).
    func enqueueInTransaction(_ jobs: [NewJob], records: [any TransactionRecord]) async throws -> [EnqueueResult] {
        try await writeJobs(reservingIDs: jobs.count) { transaction in
            let results = try transaction.enqueueAndPrune(jobs)
            for record in records {
                try record.write(in: transaction)
            }
            return results
        }
    }

    package func checkpoint(_ lease: Lease, _ data: Data) async throws -> Bool {
        try await writeJobs { try $0.checkpoint(lease, data) }
    }

    package func cancel(jobID: Int64) async throws -> JobState? {
        try await writeJobs { try $0.cancel(jobID) }
    }

    package func runNow(jobID: Int64) async throws -> JobState? {
        try await writeJobs { try $0.runNow(jobID) }
    }

    package func addSchedule(_ schedule: Schedule, replacing: Bool) async throws -> Bool {
        try await writeJobs { jobs in
            try jobs.addSchedule(
                schedule, nextRunAt: schedule.cron.nextTick(after: jobs.now, in: schedule.timeZone),
                replacing: replacing)
        }
    }

    package func removeSchedule(_ name: String) async throws -> Bool {
        try await writeJobs { try $0.removeSchedule(name) }
    }

    package func setPaused(queue: String, paused: Bool) async throws -> Bool {
        try await writeJobs { try $0.setPaused(queue, paused) }
    }

    package func exchange(_ request: WorkerExchange) async throws -> WorkerExchangeResult {
        try await writeJobs { try $0.exchange(request) }
    }

    package func pruneCompleted(limit: Int) async throws -> Int {
        try await writeJobs { try $0.pruneCompleted(limit: limit) }
    }

    package func pruneExpiredDedupeKeys(limit: Int) async throws -> Int {
        try await writeJobs { try $0.pruneExpiredDedupeKeys(limit: limit) }
    }
}
