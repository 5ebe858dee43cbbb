import Queue

/// What a worker does next, decided from what has happened: a pure state machine with no store, no
/// clock and no tasks of its own, so every rule of the worker loop is tested directly.
///
/// `WorkerPool` drives it: it tells the state what happened (a job ended, an exchange came back, a stop
/// was asked for) and asks `next(now:)` for the next step (exchange with the store, wait, check for
/// work left, finish), carrying out the actions each answer comes with (report an event, start a job,
/// cancel one).
package struct WorkerState {
    /// Something the driver does at once, beside a step.
    package enum Action {
        case report(WorkerEvent)
        case start(ClaimedJob)
        /// Cancel a running job: its lease is lost, or the shutdown grace is over.
        case cancel(jobID: Int64)
    }

    /// What the driver does next.
    package enum Step {
        /// One round trip to the store; answer with `exchanged` or `exchangeFailed`.
        case exchange(WorkerExchange)
        /// Ask the store whether anything is left to drain; answer with `drainChecked`.
        case checkDrain
        /// Wait until `deadline`, or until woken; then, with `pollChanges`, read the change counter
        /// (answer with `changeCounterRead`).
        case wait(until: Timestamp, pollChanges: Bool)
        /// Every job has ended and been settled or handed back: `report` is final.
        case finish
    }

    /// What a failed exchange leads to.
    package enum Failure {
        /// Keep the settlements and try again after the deadline.
        case retry(at: Timestamp, [Action])
        /// Give up: the store keeps failing in a way waiting does not mend.
        case giveUp([Action])
    }

    /// Failed exchanges in a row, other than contention, after which the worker gives up: about 6 s of
    /// backing off, enough for a passing I/O error, not for a corrupt or read-only file or a full disk.
    package static let storeFailureLimit = 7

    private struct RunningJob {
        let job: ClaimedJob
        var leaseLost = false
    }

    private enum StopRequest: Comparable {
        case none
        case graceful
        case immediate
    }

    /// A settlement waiting to be sent, with its job, how long the job ran and what its handler met.
    private typealias Settling = (settlement: Settlement, job: ClaimedJob, ranFor: Duration?, events: [String])

    /// The exchange sent and not yet answered.
    private struct Pending {
        let settling: [Settling]
        let heartbeat: Bool
        let claimLimit: Int
        let at: Timestamp
        /// It refreshed the worker's row; `stopped`, as the worker's last word.
        let registered: Bool
        let stopped: Bool
    }

    package let options: WorkerOptions
    /// The kinds the worker's handler runs; nil for every kind.
    package let kinds: [String]?
    package private(set) var report = WorkerReport()

    private var running: [Int64: RunningJob] = [:]
    private var settlements: [Settling] = []
    /// The worker's row, when it keeps one, and when it is next refreshed.
    private var registration: WorkerRegistration?
    private var nextRegistrationAt: Timestamp
    private var registeredStop = false
    private var pending: Pending?
    private var stopRequest = StopRequest.none
    private var stopDeadline: Timestamp?
    private var cancelledRunning = false
    private var mayHaveWork = true
    private var drainCheckDue = false
    private var nextDueAt: Timestamp?
    private var lastClaimAt: Timestamp
    private var nextHeartbeat: Timestamp
    private var changeCounter: Int64
    /// Failed exchanges in a row, for the backoff; and of those, the ones that were not contention.
    private var storeFailures = 0
    private var unmendedFailures = 0
    /// A draining worker found nothing left: it claims no more and finishes.
    private var drained = false

    package init(options: WorkerOptions, kinds: [String]?, now: Timestamp, changeCounter: Int64) {
        self.options = options
        self.kinds = kinds
        self.changeCounter = changeCounter
        lastClaimAt = now
        nextHeartbeat = now + options.leaseDuration / 3
        registration = options.registers ? options.registration(startedAt: now) : nil
        nextRegistrationAt = now
    }

    private var heartbeatInterval: Duration { options.leaseDuration / 3 }

    // MARK: Events

    /// A stop was asked for: a graceful stop lets running jobs take up to the shutdown grace; an
    /// immediate one, or a second request, cancels them at once.
    package mutating func requestStop(immediately: Bool) {
        stopRequest = immediately || stopRequest == .graceful ? .immediate : max(stopRequest, .graceful)
    }

    /// A job's handler returned. A job cut short by shutdown goes back to the queue without spending
    /// its attempt; a job whose lease was lost is settled by nobody (the store already moved on).
    package mutating func jobEnded(_ job: ClaimedJob, result: JobResult, cancelled: Bool, ranFor: Duration? = nil) {
        guard let entry = running.removeValue(forKey: job.id), !entry.leaseLost else { return }
        let settlement =
            cancelled && result.outcome != .complete
            ? Settlement(job.lease, .release)
            : Settlement(job.lease, options.redactor.redact(result.outcome), effects: result.effects)
        settlements.append((settlement, job, ranFor, result.events))
    }

    /// The exchange committed.
    package mutating func exchanged(_ result: WorkerExchangeResult) -> [Action] {
        guard let sent = pending else { return [] }
        pending = nil
        storeFailures = 0
        unmendedFailures = 0
        var actions: [Action] = []
        if sent.registered {
            nextRegistrationAt = sent.at + (registration?.refreshInterval ?? .zero)
            registeredStop = sent.stopped
        }
        for ((settlement, job, ranFor, events), settled) in zip(sent.settling, result.settled) {
            report.count(settled, of: settlement.outcome)
            registration?.tally.count(queue: job.queue, kind: job.kind) { $0.count(settled, of: settlement.outcome) }
            if let ranFor, settled != .leaseLost {
                registration?.tally.ran(for: ranFor)
            }
            for event in events {
                registration?.tally.events[event, default: 0] += 1
            }
            actions.append(
                .report(settled == .leaseLost ? .leaseLost(job) : .settled(job, settlement.outcome, settled)))
        }
        for lease in result.lostLeases {
            guard var entry = running[lease.jobID], !entry.leaseLost else { continue }
            entry.leaseLost = true
            running[lease.jobID] = entry
            report.leasesLost += 1
            registration?.tally.count(queue: entry.job.queue, kind: entry.job.kind) { $0.leasesLost += 1 }
            actions += [.cancel(jobID: lease.jobID), .report(.leaseLost(entry.job))]
        }
        if sent.heartbeat {
            nextHeartbeat = sent.at + heartbeatInterval
        }
        if sent.claimLimit > 0 {
            lastClaimAt = sent.at
            mayHaveWork = result.claimed.count == sent.claimLimit
            drainCheckDue = !mayHaveWork
            nextDueAt = result.nextDueAt
        }
        for job in result.claimed {
            running[job.id] = RunningJob(job: job)
            actions += [.report(.claimed(job)), .start(job)]
        }
        return actions
    }

    /// The exchange failed. Its settlements go again with the next one; if their leases run out
    /// meanwhile, the store reports them lost and the jobs run again elsewhere. Other writers holding
    /// the lock are waited out for as long as it takes; any other failure only so long.
    package mutating func exchangeFailed(_ error: any Error, now: Timestamp) -> Failure {
        guard let sent = pending else { return .retry(at: now, []) }
        pending = nil
        settlements = sent.settling + settlements
        storeFailures += 1
        if (error as? QueueError)?.code != .contended {
            unmendedFailures += 1
        }
        if unmendedFailures >= Self.storeFailureLimit {
            let cancels = running.keys.sorted().map { Action.cancel(jobID: $0) }
            return .giveUp(cancels + [.report(.storeUnusable(String(describing: error)))])
        }
        let backoff = Duration.milliseconds(min(5_000, 50 << min(storeFailures, 7)))
        return .retry(at: now + backoff, [.report(.storeFailed(String(describing: error)))])
    }

    /// The answer to `checkDrain`: with nothing runnable or leased, a draining worker is done.
    package mutating func drainChecked(hasWork: Bool) {
        drainCheckDue = false
        drained = !hasWork
    }

    /// The answer to a wait's `pollChanges`: a new counter means another process committed something.
    /// An unreadable counter only prompts an exchange, which is where store failures are judged.
    package mutating func changeCounterRead(_ counter: Int64?) {
        if counter != changeCounter {
            changeCounter = counter ?? changeCounter
            mayHaveWork = true
        }
    }

    // MARK: Next step

    /// The next step at `now`, and what to do with it at once.
    package mutating func next(now: Timestamp) -> (Step, [Action]) {
        var actions: [Action] = []
        if stopRequest != .none && stopDeadline == nil {
            stopDeadline = now + options.shutdownGrace
            actions.append(.report(.stopping(inFlight: running.count)))
        }
        if stopRequest == .immediate, let deadline = stopDeadline, deadline > now {
            stopDeadline = now
        }
        if let stopDeadline, now >= stopDeadline, !cancelledRunning {
            actions += running.keys.sorted().map { .cancel(jobID: $0) }
            cancelledRunning = true
        }

        let freeSlots = stopDeadline == nil && !drained ? options.concurrency - running.count : 0
        let heartbeatDue = !running.isEmpty && now >= nextHeartbeat
        let dueReached = (nextDueAt.map { now >= $0 } ?? false) || now - lastClaimAt >= options.maxIdleWait
        // A settlement can make work runnable (the next job of its group, its follow-up jobs), and this
        // process's own commit does not move the change counter it watches: claim with it.
        let claimLimit = freeSlots > 0 && (mayHaveWork || dueReached || !settlements.isEmpty) ? freeSlots : 0
        let finished = running.isEmpty && (stopDeadline != nil || drained)
        // The row is refreshed when due, and written once more, marked stopped, as the last exchange.
        let registering = registration != nil && !registeredStop && (now >= nextRegistrationAt || finished)

        if !settlements.isEmpty || heartbeatDue || claimLimit > 0 || registering {
            let sending = settlements
            settlements.removeAll()
            let stopping = registering && finished && sending.isEmpty
            pending = Pending(
                settling: sending, heartbeat: heartbeatDue, claimLimit: claimLimit, at: now, registered: registering,
                stopped: stopping)
            var refreshed = registration
            refreshed?.inFlight = running.count
            refreshed?.stopped = stopping
            let exchange = WorkerExchange(
                workerID: options.workerID,
                leaseDuration: options.leaseDuration,
                settlements: sending.map(\.settlement),
                heartbeats: heartbeatDue ? running.values.map(\.job.lease).sorted { $0.jobID < $1.jobID } : [],
                queues: options.queues,
                kinds: kinds,
                claimLimit: claimLimit,
                registration: registering ? refreshed : nil
            )
            return (.exchange(exchange), actions)
        }
        if finished {
            return (.finish, actions)
        }
        if options.drain && drainCheckDue && running.isEmpty {
            return (.checkDrain, actions)
        }
        var wakeAt = min(now + options.pollInterval, lastClaimAt + options.maxIdleWait)
        if registration != nil {
            wakeAt = min(wakeAt, nextRegistrationAt)
        }
        if let nextDueAt {
            wakeAt = min(wakeAt, nextDueAt)
        }
        if !running.isEmpty {
            wakeAt = min(wakeAt, nextHeartbeat)
        }
        if let stopDeadline, !cancelledRunning {
            wakeAt = min(wakeAt, stopDeadline)
        }
        return (.wait(until: wakeAt, pollChanges: freeSlots > 0), actions)
    }
}
