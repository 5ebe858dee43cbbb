import Foundation
import Queue
import Synchronization

/// How a worker process claims and runs jobs.
public struct WorkerOptions: Sendable {
    public var queues: [String]
    /// Jobs in flight at once.
    public var concurrency: Int
    /// How long each lease lasts; heartbeats renew it every third of that while the job runs.
    public var leaseDuration: Duration
    /// Names this worker in leases, for operators.
    public var workerID: String
    /// After a stop is requested: how long running jobs may take before they are cancelled and handed back.
    public var shutdownGrace: Duration
    /// Stop once no job in `queues` is runnable or leased.
    public var drain: Bool
    /// How often an idle worker checks whether another process committed something.
    public var pollInterval: Duration
    /// The longest an idle worker goes without trying to claim, whatever it has seen.
    public var maxIdleWait: Duration
    /// Masks credentials in every error a handler reports, before it is stored or reported.
    public var redactor: SecretRedactor
    /// Keep a row for this worker in the store (`switchboard workers`), refreshed with its exchanges.
    public var registers = false

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
