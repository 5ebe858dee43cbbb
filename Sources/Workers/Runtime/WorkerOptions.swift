import Foundation
import Queue
import Synchronization

/// How a worker process claims and runs jobs.
public struct WorkerOptions: Sendable {
    public var queues: [String]
    /// Jobs in flight at once.
    public var concurrency: Int
    /// How long each lease lasts; heartbeats renew it every third of that while the job runs, and a job
    /// whose lease has not been renewed for `leaseDuration - fenceMargin` is stopped by the worker itself.
    public var leaseDuration: Duration
    /// Names this worker in leases, for operators.
    public var workerID: String
    /// After a stop is requested: how long running jobs may take before they are cancelled and handed back.
    public var shutdownGrace: Duration
    /// Stop once no job in `queues` is runnable or leased.
    public var drain: Bool
    /// With `drain`, stop only once no job in `queues` is live at all: wait for scheduled jobs (retries,
    /// snoozes, rate holds, delays) and blocked ones too.
    public var drainScheduled = false
    /// How often an idle worker checks whether another process committed something.
    public var pollInterval: Duration
    /// The longest an idle worker goes without trying to claim, whatever it has seen.
    public var maxIdleWait: Duration
    /// Masks credentials in every error a handler reports, before it is stored or reported.
    public var redactor: SecretRedactor
    /// Keep a row for this worker in the store (`switchboard workers`), refreshed with its exchanges.
    public var registers = false
    /// The clock the worker measures its own times with (heartbeats, fences, the shutdown grace, waits):
    /// monotonic, so a step of the wall clock cannot stretch a fence past its lease. Tests that move time
    /// by hand give their manual clock.
    public var clock: any WallClock = MonotonicClock()
    /// How often a worker running jobs looks whether one of them was cancelled (a cheap counter; the
    /// store is asked only when it moved), so a cancel stops a job's work within about this long.
    public var cancelCheckInterval: Duration = .milliseconds(200)

    /// How long before its lease could run out a job whose lease was not renewed is stopped (counted from
    /// when its last successful renewal was sent): a quarter of the lease, for the kill and the clocks.
    public var fenceMargin: Duration { leaseDuration / 4 }

    /// How long a stopped job's command has between SIGTERM and SIGKILL: at most half the fence margin,
    /// so that even a command that ignores SIGTERM is gone before its lease can pass to another worker.
    public var killGrace: Duration { min(.seconds(5), fenceMargin / 2) }

    public init(
        queues: [String],
        concurrency: Int = 8,
        leaseDuration: Duration = .seconds(30),
        workerID: String = WorkerOptions.defaultWorkerID,
        shutdownGrace: Duration = .seconds(10),
        drain: Bool = false,
        pollInterval: Duration = .milliseconds(1),
        maxIdleWait: Duration = .seconds(1),
        redactor: SecretRedactor = SecretRedactor(secrets: [])
    ) {
        self.queues = queues
        self.concurrency = concurrency
        self.leaseDuration = leaseDuration
        self.workerID = workerID
        self.shutdownGrace = shutdownGrace
        self.drain = drain
        self.pollInterval = pollInterval
        self.maxIdleWait = maxIdleWait
        self.redactor = redactor
    }

    /// The row this worker keeps in the store, as it starts at `now`.
    func registration(startedAt now: Timestamp) -> WorkerRegistration {
        WorkerRegistration(
            id: workerID, host: ProcessInfo.processInfo.hostName, pid: Int(ProcessInfo.processInfo.processIdentifier),
            version: SwitchboardVersion.current, queues: queues, concurrency: concurrency, startedAt: now,
            refreshInterval: max(.seconds(5), leaseDuration / 3))
    }

    /// `host:pid`.
    public static var defaultWorkerID: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}
