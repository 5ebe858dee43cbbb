import Queue

/// What a worker does next, decided from what has happened: a pure state machine with no store, no
/// clock and no tasks of its own, so every rule of the worker loop is tested directly.
///
/// `WorkerPool` drives it: it tells the state what happened (a job ended, a store step came back, a
/// stop was asked for) and asks `next(now:)` for the next step (a step with the store, a wait, finish),
/// carrying out the actions each answer comes with (report an event, start a job, cancel one). A store
/// step runs beside the loop, one at a time: while it is out, `next` only waits, stops and fences, so a
/// store that hangs (a server down, a lock held) cannot keep the worker from stopping its jobs.
///
/// **Self-fencing.** A job runs only while its lease is known to stand. The store sets a lease's expiry
/// at a time no earlier than the sending of the exchange that claimed or renewed it, plus the lease; so
/// each running job's lease is confirmed from that sending (never from the answer, which may come late),
/// and a job whose lease has not been confirmed again by `confirmed + lease - fenceMargin` is cancelled
/// by the worker itself, its command killed within the margin, whether or not the store can be reached.
/// The worker's clock is monotonic and only durations cross between it and the store's.
package struct WorkerState {
    /// Something the driver does at once, beside a step.
    package enum Action {
        case report(WorkerEvent)
        case start(ClaimedJob)
        /// Cancel a running job: its lease is lost or could not be renewed in time, or the shutdown grace
        /// is over.
        case cancel(jobID: Int64)
    }

    /// What the driver does next. A store step (`exchange`, `checkDrain`, `readCounters`, `checkLeases`)
    /// is started and answered later, with the method each names; meanwhile the driver goes on asking.
    package enum Step {
        /// One round trip to the store; answer with `exchanged` or `exchangeFailed`.
        case exchange(WorkerExchange)
        /// Ask the store whether anything is left to drain; answer with `drainChecked`.
        case checkDrain
        /// Read the store's change counters; answer with `countersRead`.
        case readCounters
        /// Ask the store which of these leases it no longer holds for the worker; answer with
        /// `leasesChecked`.
        case checkLeases([Lease])
        /// Wait until `deadline`, or until woken (a job ended, a store step came back, a stop was asked).
        case wait(until: Timestamp)
        /// Every job has ended and been settled or handed back: `report` is final.
        case finish
    }

    /// What a failed exchange leads to.
    package enum Failure {
        /// Keep the settlements and try again after a backoff.
        case retry([Action])
        /// Give up: the store keeps failing in a way waiting does not mend.
        case giveUp([Action])
    }

    /// Failed exchanges in a row, other than contention, after which the worker gives up: about 6 s of
    /// backing off, enough for a passing I/O error, not for a corrupt or read-only file or a full disk.
    package static let storeFailureLimit = 7

    private struct RunningJob {
        let job: ClaimedJob
        /// When the exchange that last confirmed the lease (its claim or a renewal) was sent.
        var confirmedAt: Timestamp
        /// The store no longer holds the lease (the job was cancelled, or expired and was taken): nothing
        /// is settled, and the stop of its work is reported instead.
        var leaseLost = false
        /// The worker stopped the job itself, its lease not renewed in time; it is handed back.
        var fenced = false

        /// Its work is being stopped: it is not renewed again.
        var stopping: Bool { leaseLost || fenced }
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
        let stopped: [Lease]
        let heartbeats: [Lease]
        let claimLimit: Int
        let at: Timestamp
        /// It refreshed the worker's row; `stopped`, as the worker's last word.
        let registered: Bool
        let registeredStop: Bool
    }

    /// The store step that is out.
    private enum Outstanding {
        case exchange(Pending)
        case drainCheck
        case counters
        case leaseCheck
    }

    package let options: WorkerOptions
    /// The kinds the worker's handler runs; nil for every kind.
    package let kinds: [String]?
    package private(set) var report = WorkerReport()

    private var running: [Int64: RunningJob] = [:]
    private var settlements: [Settling] = []
    /// Lost leases whose jobs have ended, to report as stopped.
    private var stopped: [Lease] = []
    /// The worker's row, when it keeps one, and when it is next refreshed.
    private var registration: WorkerRegistration?
    private var nextRegistrationAt: Timestamp
    private var registeredStop = false
    private var outstanding: Outstanding?
    private var stopRequest = StopRequest.none
    private var stopDeadline: Timestamp?
    private var cancelledRunning = false
    private var mayHaveWork = true
    private var drainCheckDue = false
    private var nextDueAt: Timestamp?
    private var lastClaimAt: Timestamp
    private var nextHeartbeat: Timestamp
    private var counters: ChangeCounters
    /// How the worker learns of work, as last reported (nil before the first report).
    private var reportedWakeups: Wakeups?
    /// The worker's row says less than it knows (how it learns of work changed): refresh it now.
    private var registrationStale = false
    private var nextCounterRead: Timestamp
    /// The lease counter moved: ask the store about the running leases, at most once a `cancelCheckInterval`.
    private var leaseCheckDue = false
    private var nextLeaseCheck: Timestamp
    /// Failed exchanges in a row, for the backoff; and of those, the ones that were not contention.
    private var storeFailures = 0
    private var unmendedFailures = 0
    /// After a failed exchange: no exchange before this.
    private var retryAt: Timestamp?
    /// A draining worker found nothing left: it claims no more and finishes.
    private var drained = false

    package init(options: WorkerOptions, kinds: [String]?, now: Timestamp, counters: ChangeCounters) {
        self.options = options
        self.kinds = kinds
        self.counters = counters
        lastClaimAt = now
        nextHeartbeat = now + options.leaseDuration / 3
        registration = options.registers ? options.registration(startedAt: now) : nil
        registration?.wakeups = counters.wakeups
        nextRegistrationAt = now
        nextCounterRead = now
        nextLeaseCheck = now
    }

    private var heartbeatInterval: Duration { options.leaseDuration / 3 }

    /// When a job confirmed at `confirmedAt` is stopped unless confirmed again.
    private func fenceAt(_ confirmedAt: Timestamp) -> Timestamp {
        confirmedAt + options.leaseDuration - options.fenceMargin
    }

    /// The running jobs whose leases the worker still renews.
    private var activeLeases: [Lease] {
        running.values.filter { !$0.stopping }.map(\.job.lease).sorted { $0.jobID < $1.jobID }
    }

    // MARK: Events

    /// A stop was asked for: a graceful stop lets running jobs take up to the shutdown grace; an
    /// immediate one, or a second request, cancels them at once.
    package mutating func requestStop(immediately: Bool) {
        stopRequest = immediately || stopRequest == .graceful ? .immediate : max(stopRequest, .graceful)
    }

    /// A job's handler returned. A job cut short (by shutdown, or stopped for want of a renewed lease) goes
    /// back to the queue without spending its attempt; a job whose lease was lost is settled by nobody
    /// (the store already moved on), and the stop of its work is reported with the next exchange.
    package mutating func jobEnded(_ job: ClaimedJob, result: JobResult, cancelled: Bool, ranFor: Duration? = nil) {
        guard let entry = running.removeValue(forKey: job.id) else { return }
        if entry.leaseLost {
            stopped.append(job.lease)
            return
        }
        let settlement =
            cancelled && result.outcome != .complete
            ? Settlement(job.lease, .release)
            : Settlement(job.lease, options.redactor.redact(result.outcome), effects: result.effects)
        settlements.append((settlement, job, ranFor, result.events))
    }

    /// The exchange committed; `now` is when its answer came. A job claimed so late that its lease could
    /// already pass to another worker is handed back without running.
    package mutating func exchanged(_ result: WorkerExchangeResult, now: Timestamp) -> [Action] {
        guard case .exchange(let sent) = outstanding else { return [] }
        outstanding = nil
        retryAt = nil
        storeFailures = 0
        unmendedFailures = 0
        var actions: [Action] = []
        actions.reserveCapacity(sent.settling.count + 2 * result.claimed.count)
        if sent.registered {
            nextRegistrationAt = sent.at + (registration?.refreshInterval ?? .zero)
            registeredStop = sent.registeredStop
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
        actions += lose(result.lostLeases)
        let lost = Set(result.lostLeases)
        for lease in sent.heartbeats where !lost.contains(lease) {
            guard var entry = running[lease.jobID], entry.job.lease == lease, !entry.stopping else { continue }
            entry.confirmedAt = max(entry.confirmedAt, sent.at)
            running[lease.jobID] = entry
        }
        if !sent.heartbeats.isEmpty {
            nextHeartbeat = sent.at + heartbeatInterval
        }
        if sent.claimLimit > 0 {
            lastClaimAt = sent.at
            mayHaveWork = result.claimed.count == sent.claimLimit
            drainCheckDue = !mayHaveWork
            nextDueAt = result.nextDueIn.map { sent.at + $0 }
        }
        // Claimed so late that the leases could already pass to another worker: handed back unrun.
        let fenced = now >= fenceAt(sent.at)
        for job in result.claimed {
            if fenced {
                settlements.append((Settlement(job.lease, .release), job, nil, []))
                actions.append(.report(.fenced(job)))
                continue
            }
            running[job.id] = RunningJob(job: job, confirmedAt: sent.at)
            actions.append(.report(.claimed(job)))
            actions.append(.start(job))
        }
        return actions
    }

    /// The exchange failed. Its settlements go again with the next one; if their leases run out
    /// meanwhile, the store reports them lost and the jobs run again elsewhere (their running jobs are
    /// stopped first, by their fences). Other writers holding the lock are waited out for as long as it
    /// takes; any other failure only so long.
    package mutating func exchangeFailed(_ error: any Error, now: Timestamp) -> Failure {
        guard case .exchange(let sent) = outstanding else { return .retry([]) }
        outstanding = nil
        settlements = sent.settling + settlements
        stopped = sent.stopped + stopped
        storeFailures += 1
        if (error as? QueueError)?.code != .contended {
            unmendedFailures += 1
        }
        if unmendedFailures >= Self.storeFailureLimit {
            let cancels = running.keys.sorted().map { Action.cancel(jobID: $0) }
            return .giveUp(cancels + [.report(.storeUnusable(String(describing: error)))])
        }
        retryAt = now + .milliseconds(min(5_000, 50 << min(storeFailures, 7)))
        return .retry([.report(.storeFailed(String(describing: error)))])
    }

    /// The answer to `checkDrain`: with nothing left (runnable or leased; with `drainScheduled`, live),
    /// a draining worker is done.
    package mutating func drainChecked(hasWork: Bool) {
        outstanding = nil
        drainCheckDue = false
        drained = !hasWork
    }

    /// The answer to `readCounters`: a moved work counter means another process committed something to
    /// claim; a moved lease counter, that a running job may have been cancelled. Unreadable counters only
    /// prompt an exchange and a lease check, which is where store failures are judged. A change in how
    /// the store learns of work (the listen connection heard itself, or stopped hearing) is reported, and
    /// written to the worker's row at once.
    @discardableResult
    package mutating func countersRead(_ read: ChangeCounters?) -> [Action] {
        outstanding = nil
        var actions: [Action] = []
        if let wakeups = read?.wakeups, wakeups != .starting, wakeups != reportedWakeups {
            reportedWakeups = wakeups
            actions.append(.report(.wakeups(wakeups)))
            if registration != nil {
                registration?.wakeups = wakeups
                registrationStale = true
            }
        }
        if read?.work != counters.work {
            mayHaveWork = true
        }
        if read?.leases != counters.leases {
            leaseCheckDue = true
        }
        counters = read ?? counters
        return actions
    }

    /// The answer to `checkLeases`: the leases the store no longer holds (nil when it could not say, so
    /// the check is tried again).
    package mutating func leasesChecked(lost: [Lease]?) -> [Action] {
        outstanding = nil
        guard let lost else {
            leaseCheckDue = true
            return []
        }
        return lose(lost)
    }

    /// Marks the running jobs of `leases` as having lost them, and cancels their work.
    private mutating func lose(_ leases: [Lease]) -> [Action] {
        var actions: [Action] = []
        for lease in leases {
            guard var entry = running[lease.jobID], entry.job.lease == lease, !entry.leaseLost else { continue }
            entry.leaseLost = true
            running[lease.jobID] = entry
            report.leasesLost += 1
            registration?.tally.count(queue: entry.job.queue, kind: entry.job.kind) { $0.leasesLost += 1 }
            if !entry.fenced {
                actions.append(.cancel(jobID: lease.jobID))
            }
            actions.append(.report(.leaseLost(entry.job)))
        }
        return actions
    }

    // MARK: Next step

    /// The next step at `now`, and what to do with it at once.
    package mutating func next(now: Timestamp) -> (Step, [Action]) {
        var actions = stopActions(now: now)
        for id in running.keys.sorted() {
            guard var entry = running[id], !entry.stopping, now >= fenceAt(entry.confirmedAt) else { continue }
            entry.fenced = true
            running[id] = entry
            actions += [.cancel(jobID: id), .report(.fenced(entry.job))]
        }
        let freeSlots = stopDeadline == nil && !drained ? options.concurrency - running.count : 0
        if outstanding == nil, let step = storeStep(now: now, freeSlots: freeSlots) {
            return (step, actions)
        }
        let finished =
            outstanding == nil && running.isEmpty && (stopDeadline != nil || drained) && settlements.isEmpty
            && stopped.isEmpty && (registration == nil || registeredStop)
        if finished {
            return (.finish, actions)
        }
        return (.wait(until: wakeTime(now: now, freeSlots: freeSlots)), actions)
    }

    /// What a stop asks for at `now`: the report that it began, and the cancels once its grace is over.
    private mutating func stopActions(now: Timestamp) -> [Action] {
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
        return actions
    }

    /// The store step to start at `now`, if one is due.
    private mutating func storeStep(now: Timestamp, freeSlots: Int) -> Step? {
        let renewing = activeLeases
        let heartbeatDue = !renewing.isEmpty && now >= nextHeartbeat
        let dueReached = (nextDueAt.map { now >= $0 } ?? false) || now - lastClaimAt >= options.maxIdleWait
        // A settlement can make work runnable (the next job of its group, its follow-up jobs), and so can a
        // reported stop (a redriven job waiting for it); this process's own commit does not move the change
        // counter it watches: claim with them.
        let makesWork = !settlements.isEmpty || !stopped.isEmpty
        let claimLimit = freeSlots > 0 && (mayHaveWork || dueReached || makesWork) ? freeSlots : 0
        let ending = running.isEmpty && (stopDeadline != nil || drained)
        // The row is refreshed when due, and written once more, marked stopped, as the last exchange.
        let registering =
            registration != nil && !registeredStop && (now >= nextRegistrationAt || ending || registrationStale)
        let mayExchange = retryAt.map { now >= $0 } ?? true
        if mayExchange && (!settlements.isEmpty || !stopped.isEmpty || heartbeatDue || claimLimit > 0 || registering) {
            let sending = settlements
            settlements.removeAll()
            let sendingStopped = stopped
            stopped.removeAll()
            let registeredStop = registering && ending && sending.isEmpty
            let heartbeats = heartbeatDue ? renewing : []
            outstanding = .exchange(
                Pending(
                    settling: sending, stopped: sendingStopped, heartbeats: heartbeats, claimLimit: claimLimit, at: now,
                    registered: registering, registeredStop: registeredStop))
            if registering {
                registrationStale = false
            }
            var refreshed = registration
            refreshed?.inFlight = running.count
            refreshed?.stopped = registeredStop
            return .exchange(
                WorkerExchange(
                    workerID: options.workerID,
                    leaseDuration: options.leaseDuration,
                    settlements: sending.map(\.settlement),
                    heartbeats: heartbeats,
                    stopped: sendingStopped,
                    queues: options.queues,
                    kinds: kinds,
                    claimLimit: claimLimit,
                    registration: registering ? refreshed : nil
                ))
        }
        if options.drain && drainCheckDue && running.isEmpty && settlements.isEmpty {
            outstanding = .drainCheck
            return .checkDrain
        }
        if leaseCheckDue && !renewing.isEmpty && now >= nextLeaseCheck {
            leaseCheckDue = false
            nextLeaseCheck = now + options.cancelCheckInterval
            outstanding = .leaseCheck
            return .checkLeases(renewing)
        }
        if let interval = counterInterval(freeSlots: freeSlots, renewing: !renewing.isEmpty), now >= nextCounterRead {
            nextCounterRead = now + interval
            outstanding = .counters
            return .readCounters
        }
        return nil
    }

    /// How often the counters are read: for work while a slot is free, for cancels while jobs run.
    private func counterInterval(freeSlots: Int, renewing: Bool) -> Duration? {
        switch (freeSlots > 0, renewing) {
        case (true, true): min(options.pollInterval, options.cancelCheckInterval)
        case (true, false): options.pollInterval
        case (false, true): options.cancelCheckInterval
        case (false, false): nil
        }
    }

    /// When to look again, if nothing wakes the worker sooner.
    private func wakeTime(now: Timestamp, freeSlots: Int) -> Timestamp {
        let renewing = running.values.filter { !$0.stopping }
        var times = renewing.map { fenceAt($0.confirmedAt) }
        if let stopDeadline, !cancelledRunning {
            times.append(stopDeadline)
        }
        if outstanding == nil {
            if counterInterval(freeSlots: freeSlots, renewing: !renewing.isEmpty) != nil {
                times.append(nextCounterRead)
            }
            if leaseCheckDue && !renewing.isEmpty {
                times.append(nextLeaseCheck)
            }
            if let retryAt, retryAt > now {
                // Whatever an exchange is due for waits for the backoff.
                times.append(retryAt)
            } else {
                if freeSlots > 0 {
                    times.append(lastClaimAt + options.maxIdleWait)
                    times += [nextDueAt].compactMap { $0 }
                }
                if registration != nil && !registeredStop {
                    times.append(nextRegistrationAt)
                }
                if !renewing.isEmpty {
                    times.append(nextHeartbeat)
                }
            }
        }
        // Nothing to wait for but a job's end, a store step's answer or a stop, each of which wakes the
        // worker: wait a long while.
        return times.min() ?? now + max(options.maxIdleWait, options.shutdownGrace)
    }
}
