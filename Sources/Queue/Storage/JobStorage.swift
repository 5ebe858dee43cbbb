import Foundation

/// What a database must do for the job queue: the one seam between `JobStore` and a backend.
///
/// `JobStore` keeps the rules that need no database (checking jobs before they are written, pacing a
/// redrive, batching a purge); a backend keeps every statement. Each method is one transaction, or for
/// a read one snapshot, committed before it returns, with the time read inside it from the store's clock.
/// A backend is opened with the store's `StoreOptions`; the queue's tests run against every backend.
package protocol JobStorage: SQLTransactions {
    /// The database, for messages: a path, or a URL without its password.
    var location: String { get }

    /// Writes the jobs that are not duplicates (and their attachments), all or none.
    func enqueue(_ jobs: [NewJob], records: [any TransactionRecord]) async throws -> [EnqueueResult]
    /// Settles, heartbeats and claims in one transaction.
    func exchange(_ exchange: WorkerExchange) async throws -> WorkerExchangeResult
    func releaseDedupeKey(_ key: String) async throws -> Bool
    func pruneCompleted(limit: Int) async throws -> Int
    func pruneExpiredDedupeKeys(limit: Int) async throws -> Int

    func holdRemaining(buckets: [String]) async throws -> Duration?
    func reserveSendSlot(_ bucket: String, interval: Duration, respecting buckets: [String]) async throws -> Duration?
    func hold(_ holds: [RateHold]) async throws

    /// The dead letters of `queue` (nil for every queue) dead for at least `deadFor`, in the order they died.
    func deadLetterIDs(queue: String?, deadFor: Duration) async throws -> [Int64]
    /// Dead letters in the order they died, after `after` when it is given.
    func deadLetters(queue: String?, kind: String?, after: DeadLetterPosition?, limit: Int) async throws
        -> [JobRecord]
    /// Puts these dead letters back to run; returns how many still were dead letters.
    func redrive(deadLetters ids: [Int64]) async throws -> Int
    /// Deletes these dead letters; returns how many still were dead letters.
    func purge(deadLetters ids: [Int64]) async throws -> Int

    func stats() async throws -> QueueStats
    func jobs(state: JobState?, queue: String?, kind: String?, after: Int64?, limit: Int) async throws -> [JobRecord]
    func jobs(ids: [Int64]) async throws -> [JobRecord]
    func blocked(inGroup group: String, limit: Int) async throws -> [JobRecord]
    func hasLiveJobs(inGroup group: String) async throws -> Bool
    /// Replaces the checkpoint of a job whose lease is still held; false when it is not.
    func checkpoint(_ lease: Lease, _ data: Data) async throws -> Bool
    /// Cancels a live job; returns the state it was in (a job that was not live is left as it was).
    func cancel(jobID: Int64) async throws -> JobState?
    /// Makes a scheduled job ready and redrives a dead one; returns the state it was in.
    func runNow(jobID: Int64) async throws -> JobState?
    /// Pauses or resumes a queue, fleet-wide; false when it already was.
    func setPaused(queue: String, paused: Bool) async throws -> Bool
    /// The paused queues, with when each was paused.
    func pausedQueues() async throws -> [String: Timestamp]
    /// Every worker's row, newest start first.
    func workers() async throws -> [WorkerRecord]
    func addSchedule(_ schedule: Schedule, replacing: Bool) async throws -> Bool
    func removeSchedule(_ name: String) async throws -> Bool
    /// Every schedule, by name.
    func schedules() async throws -> [ScheduleRecord]
    func hasRunnableOrLeasedJobs(queues: [String], kinds: [String]?) async throws -> Bool
    /// Whether some job in `queues`, of `kinds` (nil for any), is leased, or live in a queue not paused.
    func hasLiveJobs(queues: [String], kinds: [String]?) async throws -> Bool
    /// Those of `leases` no longer held (cancelled or claimed again): a read, no lock.
    func lostLeases(_ leases: [Lease]) async throws -> [Lease]
    /// Numbers that change when other processes commit what a worker should look at: cheap to read.
    func changeCounters() async throws -> ChangeCounters
    func schemaVersion() async throws -> Int
    /// Takes `bytes` of new space where the database writes its data, and gives it back; throws when
    /// it cannot.
    func checkRoom(bytes: Int) async throws
}
