import Foundation
import Queue
import Synchronization

/// Keeps up to `concurrency` jobs running from a store, in one process.
///
/// One coordinator loop owns all talk with the store: each round trip settles every job that finished
/// since the last one, renews the leases that are due, and claims enough jobs to fill the free slots,
/// in one transaction. While that transaction commits, more jobs finish and wait for the next one, so
/// the commits are shared by as many jobs as are finishing (group commit). A settlement is reported
/// (`WorkerEvent.settled`) only once its transaction has committed.
public final class WorkerPool: Sendable {
    /// Failed exchanges in a row, other than contention, after which the worker gives up: about 6 s of
    /// backing off, enough for a passing I/O error, not for a corrupt or read-only file or a full disk.
    static let storeFailureLimit = 7

    private let store: JobStore
    private let handler: any JobHandler
    private let options: WorkerOptions
    private let onEvent: @Sendable (WorkerEvent) -> Void

    private let wakeup = Wakeup()
    private let finished = Mutex<[FinishedJob]>([])
    private let stopRequest = Mutex<StopRequest>(.none)

    private enum StopRequest {
        case none
        case graceful
        case immediate
    }

    private struct FinishedJob {
        let job: ClaimedJob
        let result: JobResult
        let cancelled: Bool
    }

    private struct RunningJob {
        let job: ClaimedJob
        let task: Task<Void, Never>
        var leaseLost = false
    }

    public init(
        store: JobStore,
        handler: any JobHandler,
        options: WorkerOptions,
        onEvent: @escaping @Sendable (WorkerEvent) -> Void = { _ in }
    ) {
        self.store = store
        self.handler = handler
        self.options = options
        self.onEvent = onEvent
    }

    /// Asks the worker to stop claiming and finish. A graceful stop lets running jobs take up to the
    /// shutdown grace; an immediate one (or a second request) cancels them and hands them back at once.
    public func requestStop(immediately: Bool = false) {
        stopRequest.withLock { request in
            if immediately || request == .graceful {
                request = .immediate
            } else if request == .none {
                request = .graceful
            }
        }
        wakeup.signal()
    }

    /// Runs until a stop is requested and every job has been settled or handed back (or, with `drain`,
    /// until nothing is runnable or leased). Cancelling the calling task stops the worker immediately.
    public func run() async throws -> WorkerReport {
        try await withTaskCancellationHandler {
            try await coordinate()
        } onCancel: {
            requestStop(immediately: true)
        }
    }

    private func coordinate() async throws -> WorkerReport {
        let clock = store.clock
        let heartbeatInterval = options.leaseDuration / 3
        var report = WorkerReport()
        var running: [Int64: RunningJob] = [:]
        var settlements: [Settlement] = []
        var settling: [Lease: (job: ClaimedJob, outcome: JobOutcome)] = [:]
        var stopDeadline: Timestamp?
        var cancelledRunning = false
        var mayHaveWork = true
        var drainCheckDue = false
        var nextDueAt: Timestamp?
        var lastClaimAt = clock.now()
        var nextHeartbeat = clock.now() + heartbeatInterval
        // A failed look at the store only prompts an exchange: the exchange is the one place that decides
        // whether a store failure is waited out or ends the worker.
        var changeCounter = (try? await store.changeCounter()) ?? 0
        var storeFailures = 0

        while true {
            let now = clock.now()
            let request = stopRequest.withLock { $0 }
            if request != .none && stopDeadline == nil {
                stopDeadline = now + options.shutdownGrace
                onEvent(.stopping(inFlight: running.count))
            }
            if request == .immediate, let deadline = stopDeadline, deadline > now {
                stopDeadline = now
            }
            if let stopDeadline, now >= stopDeadline, !cancelledRunning {
                running.values.forEach { $0.task.cancel() }
                cancelledRunning = true
            }

            for done in takeFinished() {
                guard let entry = running.removeValue(forKey: done.job.id), !entry.leaseLost else { continue }
                // A job cut short by shutdown goes back to the queue without spending its attempt.
                let settlement = done.cancelled && done.result.outcome != .complete
                    ? Settlement(done.job.lease, .release)
                    : Settlement(done.job.lease, options.redactor.redact(done.result.outcome), effects: done.result.effects)
                settlements.append(settlement)
                settling[done.job.lease] = (done.job, settlement.outcome)
            }

            let freeSlots = stopDeadline == nil ? options.concurrency - running.count : 0
            let heartbeatDue = !running.isEmpty && now >= nextHeartbeat
            let dueReached = (nextDueAt.map { now >= $0 } ?? false) || now - lastClaimAt >= options.maxIdleWait
            // A settlement can make work runnable (the next job of its group, its follow-up jobs), and
            // this process's own commit does not move the change counter it watches: claim with it.
            let claimLimit = freeSlots > 0 && (mayHaveWork || dueReached || !settlements.isEmpty) ? freeSlots : 0

            if settlements.isEmpty && !heartbeatDue && claimLimit == 0 {
                if stopDeadline != nil && running.isEmpty {
                    break
                }
                if options.drain && drainCheckDue && running.isEmpty {
                    drainCheckDue = false
                    if (try? await store.hasRunnableOrLeasedJobs(queues: options.queues, kinds: handler.kinds)) == false {
                        break
                    }
                }
                var wakeAt = min(now + options.pollInterval, lastClaimAt + options.maxIdleWait)
                if let nextDueAt {
                    wakeAt = min(wakeAt, nextDueAt)
                }
                if !running.isEmpty {
                    wakeAt = min(wakeAt, nextHeartbeat)
                }
                if let stopDeadline, !cancelledRunning {
                    wakeAt = min(wakeAt, stopDeadline)
                }
                await wakeup.wait(timeout: wakeAt - now)
                if freeSlots > 0 {
                    let counter = try? await store.changeCounter()
                    if counter != changeCounter {
                        changeCounter = counter ?? changeCounter
                        mayHaveWork = true
                    }
                }
                continue
            }

            let result: WorkerExchangeResult
            do {
                result = try await store.exchange(
                    WorkerExchange(
                        workerID: options.workerID,
                        leaseDuration: options.leaseDuration,
                        settlements: settlements,
                        heartbeats: heartbeatDue ? running.values.map(\.job.lease) : [],
                        queues: options.queues,
                        kinds: handler.kinds,
                        claimLimit: claimLimit
                    )
                )
                storeFailures = 0
            } catch {
                // Keep the settlements: they go again with the next exchange. If their leases run out
                // meanwhile, the store reports them lost and the jobs run again elsewhere. Other writers
                // holding the lock are waited out for as long as it takes; any other failure only so long.
                storeFailures += 1
                let contended = (error as? QueueError)?.code == .contended
                if !contended && storeFailures >= Self.storeFailureLimit {
                    running.values.forEach { $0.task.cancel() }
                    onEvent(.storeUnusable(String(describing: error)))
                    throw error
                }
                onEvent(.storeFailed(String(describing: error)))
                await wakeup.wait(timeout: .milliseconds(min(5_000, 50 << min(storeFailures, 7))))
                continue
            }

            for (settlement, result) in zip(settlements, result.settled) {
                guard let (job, outcome) = settling.removeValue(forKey: settlement.lease) else { continue }
                report.count(result, of: outcome)
                onEvent(result == .leaseLost ? .leaseLost(job) : .settled(job, outcome, result))
            }
            settlements.removeAll()
            for lease in result.lostLeases {
                guard var entry = running[lease.jobID] else { continue }
                entry.leaseLost = true
                entry.task.cancel()
                running[lease.jobID] = entry
                report.leasesLost += 1
                onEvent(.leaseLost(entry.job))
            }
            if heartbeatDue {
                nextHeartbeat = now + heartbeatInterval
            }
            if claimLimit > 0 {
                lastClaimAt = now
                mayHaveWork = result.claimed.count == claimLimit
                drainCheckDue = !mayHaveWork
                nextDueAt = result.nextDueAt
            }
            for job in result.claimed {
                onEvent(.claimed(job))
                running[job.id] = RunningJob(job: job, task: start(job))
            }
        }
        return report
    }

    private func takeFinished() -> [FinishedJob] {
        finished.withLock { finished in
            defer { finished.removeAll(keepingCapacity: true) }
            return finished
        }
    }

    /// Runs a job's handler in its own task, which reports back through `finished`.
    private func start(_ job: ClaimedJob) -> Task<Void, Never> {
        Task {
            let result = await handler.run(job)
            let done = FinishedJob(job: job, result: result, cancelled: Task.isCancelled)
            finished.withLock { $0.append(done) }
            wakeup.signal()
        }
    }
}
