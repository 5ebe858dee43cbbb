import Foundation
import Queue
import Testing
import Workers

/// The worker loop's rules, driven directly: events in, steps and actions out, no store and no clock.
@Suite("The worker's decisions")
struct WorkerStateTests {
    static let start = Timestamp(millisecondsSince1970: 1_700_000_000_000)

    /// Options with the worker's defaults; `quiet` stretches the idle poll and the cancel check, so the waits
    /// a test looks at are the heartbeat's, the fence's and the grace's.
    private func options(drain: Bool = false, quiet: Bool = false) -> WorkerOptions {
        var options = WorkerOptions(
            queues: ["q"], concurrency: 4, leaseDuration: .seconds(30), workerID: "w", shutdownGrace: .seconds(5),
            drain: drain, pollInterval: quiet ? .seconds(3600) : .milliseconds(1),
            maxIdleWait: quiet ? .seconds(3600) : .seconds(1)
        )
        options.cancelCheckInterval = quiet ? .seconds(3600) : .milliseconds(200)
        return options
    }

    private static let unchanged = ChangeCounters(work: 0, leases: 0)

    private func job(_ id: Int64) -> ClaimedJob {
        ClaimedJob(
            lease: Lease(jobID: id, token: 1), queue: "q", kind: "k", payload: Data(), priority: 0, attempt: 1,
            maxAttempts: 5, groupKey: nil, dedupeKey: nil, enqueuedAt: Self.start,
            leaseExpiresAt: Self.start + .seconds(30)
        )
    }

    private func exchange(_ step: WorkerState.Step) throws -> WorkerExchange {
        guard case .exchange(let exchange) = step else { throw StepMismatch(step: "\(step)") }
        return exchange
    }

    private func wait(_ step: WorkerState.Step) throws -> Timestamp {
        guard case .wait(let deadline) = step else { throw StepMismatch(step: "\(step)") }
        return deadline
    }

    struct StepMismatch: Error {
        let step: String
    }

    /// The next step at `now` other than a read of the change counters, which are answered unchanged
    /// on the way, with every action met.
    private func next(_ state: inout WorkerState, now: Timestamp) -> (WorkerState.Step, [WorkerState.Action]) {
        var actions: [WorkerState.Action] = []
        while true {
            let (step, more) = state.next(now: now)
            actions += more
            guard case .readCounters = step else { return (step, actions) }
            state.countersRead(Self.unchanged)
        }
    }

    private func claimed(
        _ jobs: [ClaimedJob], settled: [SettlementResult] = [], lost: [Lease] = [], nextDueIn: Duration? = nil
    ) -> WorkerExchangeResult {
        WorkerExchangeResult(settled: settled, lostLeases: lost, claimed: jobs, nextDueIn: nextDueIn)
    }

    /// A state that has claimed `jobs` in its first exchange, sent and answered at the start.
    private func running(_ jobs: [ClaimedJob], options: WorkerOptions? = nil) throws -> WorkerState {
        var state = WorkerState(
            options: options ?? self.options(), kinds: nil, now: Self.start, counters: Self.unchanged)
        let first = try exchange(state.next(now: Self.start).0)
        #expect(first.claimLimit == 4)
        _ = state.exchanged(claimed(jobs), now: Self.start)
        return state
    }

    private func cancels(_ actions: [WorkerState.Action], _ id: Int64) -> Bool {
        actions.contains { if case .cancel(id) = $0 { true } else { false } }
    }

    @Test("a finished job is settled in the same exchange that claims work for its slot")
    func settleAndClaimTogether() throws {
        var state = try running([job(1)])
        state.jobEnded(job(1), result: .complete, cancelled: false)
        let exchange = try exchange(next(&state, now: Self.start).0)
        #expect(exchange.settlements.map(\.lease.jobID) == [1])
        #expect(exchange.claimLimit == 4, "the settlement may have made its group's next job runnable")
    }

    @Test("an idle worker polls the change counters, and claims when the work counter moves")
    func idleWaitsForChanges() throws {
        var state = try running([])
        guard case .readCounters = state.next(now: Self.start).0 else { throw StepMismatch(step: "read counters") }
        state.countersRead(Self.unchanged)
        let deadline = try wait(state.next(now: Self.start).0)
        #expect(deadline == Self.start + .milliseconds(1))
        guard case .readCounters = state.next(now: deadline).0 else { throw StepMismatch(step: "read counters") }
        state.countersRead(ChangeCounters(work: 7, leases: 0))
        #expect(try exchange(state.next(now: deadline).0).claimLimit == 4)
    }

    @Test("heartbeats renew every running lease a third of the way through it")
    func heartbeats() throws {
        var state = try running([job(1), job(2)], options: options(quiet: true))
        #expect(try wait(next(&state, now: Self.start + .seconds(9)).0) <= Self.start + .seconds(10))
        let beat = try exchange(next(&state, now: Self.start + .seconds(10)).0)
        #expect(beat.heartbeats.map(\.jobID) == [1, 2])
        _ = state.exchanged(claimed([]), now: Self.start + .seconds(10))
        #expect(try wait(next(&state, now: Self.start + .seconds(10)).0) <= Self.start + .seconds(20))
    }

    @Test("a lease lost at a heartbeat cancels its job; its result is dropped and its stop reported")
    func leaseLost() throws {
        var state = try running([job(1)])
        _ = try exchange(next(&state, now: Self.start + .seconds(10)).0)
        let actions = state.exchanged(claimed([], lost: [job(1).lease]), now: Self.start + .seconds(10))
        #expect(cancels(actions, 1))
        #expect(state.report.leasesLost == 1)
        state.jobEnded(job(1), result: .complete, cancelled: true)
        let after = try exchange(next(&state, now: Self.start + .seconds(10)).0)
        #expect(after.settlements.isEmpty, "a job whose lease is lost is settled by nobody")
        #expect(after.stopped == [job(1).lease], "its stop is reported, so a redrive need not wait for the lease")
    }

    @Test("a graceful stop waits out the grace, then cancels running jobs and hands them back")
    func gracefulStop() throws {
        var state = try running([job(1)], options: options(quiet: true))
        state.requestStop(immediately: false)
        let (step, actions) = next(&state, now: Self.start)
        #expect(actions.contains { if case .report(.stopping(inFlight: 1)) = $0 { true } else { false } })
        let deadline = try wait(step)
        #expect(deadline == Self.start + .seconds(5))
        let (_, stopActions) = next(&state, now: deadline)
        #expect(cancels(stopActions, 1))
        state.jobEnded(job(1), result: .fail("interrupted", retryable: true), cancelled: true)
        let handBack = try exchange(next(&state, now: deadline).0)
        #expect(handBack.settlements.map(\.outcome) == [.release])
        #expect(handBack.claimLimit == 0)
        _ = state.exchanged(claimed([], settled: [.scheduled(at: deadline)]), now: deadline)
        guard case .finish = next(&state, now: deadline).0 else { throw StepMismatch(step: "finish") }
    }

    @Test("a second stop request skips the grace")
    func secondStopIsImmediate() throws {
        var state = try running([job(1)])
        state.requestStop(immediately: false)
        _ = next(&state, now: Self.start)
        state.requestStop(immediately: false)
        let (_, actions) = next(&state, now: Self.start + .seconds(1))
        #expect(cancels(actions, 1))
    }

    @Test("contention is waited out for as long as it lasts; other store failures end the worker")
    func storeFailures() throws {
        var state = try running([])
        var now = Self.start
        for _ in 0..<20 {
            now = now + .seconds(6)
            _ = try exchange(next(&state, now: now).0)
            guard case .retry = state.exchangeFailed(QueueError(.contended, "locked"), now: now) else {
                throw StepMismatch(step: "retry")
            }
        }
        for attempt in 1...WorkerState.storeFailureLimit {
            now = now + .seconds(6)
            _ = try exchange(next(&state, now: now).0)
            let failure = state.exchangeFailed(QueueError(.internal, "disk"), now: now)
            switch (failure, attempt == WorkerState.storeFailureLimit) {
            case (.retry, false), (.giveUp, true): break
            default: Issue.record("attempt \(attempt): \(failure)")
            }
        }
    }

    @Test("after a failed exchange the next waits out its backoff, whatever else is due")
    func failedExchangeBacksOff() throws {
        var state = try running([job(1)], options: options(quiet: true))
        state.jobEnded(job(1), result: .complete, cancelled: false)
        _ = try exchange(next(&state, now: Self.start).0)
        _ = state.exchangeFailed(QueueError(.internal, "disk"), now: Self.start)
        let deadline = try wait(next(&state, now: Self.start).0)
        #expect(deadline == Self.start + .milliseconds(100))
        #expect(try exchange(next(&state, now: deadline).0).settlements.map(\.lease.jobID) == [1])
    }

    @Test("the settlements of a failed exchange go again with the next")
    func failedSettlementsResent() throws {
        var state = try running([job(1), job(2)])
        state.jobEnded(job(1), result: .complete, cancelled: false)
        _ = try exchange(next(&state, now: Self.start).0)
        state.jobEnded(job(2), result: .complete, cancelled: false)
        _ = state.exchangeFailed(QueueError(.contended, "locked"), now: Self.start)
        let again = try exchange(next(&state, now: Self.start + .seconds(1)).0)
        #expect(again.settlements.map(\.lease.jobID) == [1, 2])
    }

    @Test("a draining worker finishes once the store has nothing runnable or leased")
    func drainFinishes() throws {
        var state = try running([], options: options(drain: true))
        guard case .checkDrain = next(&state, now: Self.start).0 else { throw StepMismatch(step: "check drain") }
        state.drainChecked(hasWork: false)
        guard case .finish = next(&state, now: Self.start).0 else { throw StepMismatch(step: "finish") }
    }

    @Test("an idle worker looks again when the store said the next job falls due, counted from the sending")
    func nextDueIsADuration() throws {
        var state = WorkerState(options: options(quiet: true), kinds: nil, now: Self.start, counters: Self.unchanged)
        _ = try exchange(state.next(now: Self.start).0)
        _ = state.exchanged(claimed([], nextDueIn: .seconds(5)), now: Self.start + .seconds(1))
        #expect(try wait(next(&state, now: Self.start + .seconds(1)).0) == Self.start + .seconds(5))
        #expect(try exchange(next(&state, now: Self.start + .seconds(5)).0).claimLimit == 4)
    }

    // MARK: Self-fencing

    @Test(
        "a job whose lease is not renewed is stopped three quarters of a lease after its last renewal was sent, while the renewal hangs"
    )
    func fenceWhileTheStoreHangs() throws {
        var state = try running([job(1)], options: options(quiet: true))
        let beat = try exchange(next(&state, now: Self.start + .seconds(10)).0)
        #expect(beat.heartbeats == [job(1).lease])
        // The heartbeat never comes back; the worker keeps time meanwhile.
        let (step, early) = next(&state, now: Self.start + .seconds(11))
        #expect(try wait(step) == Self.start + .milliseconds(22_500), "the fence: claim sent + 30 s - 7.5 s")
        #expect(!cancels(early, 1))
        let (_, actions) = next(&state, now: Self.start + .milliseconds(22_500))
        #expect(cancels(actions, 1))
        #expect(actions.contains { if case .report(.fenced(let job)) = $0 { job.id == 1 } else { false } })
        // The renewal comes back after all: too late for a job already stopped, which is handed back.
        _ = state.exchanged(claimed([]), now: Self.start + .seconds(23))
        state.jobEnded(job(1), result: .fail("interrupted", retryable: true), cancelled: true)
        let handBack = try exchange(next(&state, now: Self.start + .seconds(23)).0)
        #expect(handBack.settlements.map(\.outcome) == [.release])
        #expect(handBack.heartbeats.isEmpty, "a stopped job's lease is not renewed")
    }

    @Test("a renewal confirms the lease from when it was sent, not from when its answer came")
    func renewalCountsFromItsSending() throws {
        var state = try running([job(1)], options: options(quiet: true))
        _ = try exchange(next(&state, now: Self.start + .seconds(10)).0)
        // Answered 12 s late: the store set the expiry at 10 s + 30 s at the earliest.
        _ = state.exchanged(claimed([]), now: Self.start + .seconds(22))
        let again = try exchange(next(&state, now: Self.start + .seconds(22)).0)
        #expect(again.heartbeats == [job(1).lease])
        let (before, quiet) = next(&state, now: Self.start + .milliseconds(32_499))
        #expect(!cancels(quiet, 1))
        #expect(try wait(before) == Self.start + .milliseconds(32_500))
        #expect(cancels(next(&state, now: Self.start + .milliseconds(32_500)).1, 1))
    }

    @Test("a failing store does not stop the fence: retries go on, and the job is stopped in time")
    func fenceThroughFailures() throws {
        var state = try running([job(1)], options: options(quiet: true))
        var now = Self.start + .seconds(10)
        var fenced = false
        while now < Self.start + .seconds(30) && !fenced {
            let (step, actions) = next(&state, now: now)
            fenced = cancels(actions, 1)
            if case .exchange = step {
                _ = state.exchangeFailed(QueueError(.unavailable, "server down"), now: now)
            }
            now = now + .milliseconds(100)
        }
        #expect(fenced)
        #expect(now <= Self.start + .milliseconds(22_600))
    }

    @Test("a job claimed by an exchange whose answer came too late is handed back without running")
    func lateClaimIsHandedBack() throws {
        var state = WorkerState(options: options(quiet: true), kinds: nil, now: Self.start, counters: Self.unchanged)
        _ = try exchange(state.next(now: Self.start).0)
        let actions = state.exchanged(claimed([job(1)]), now: Self.start + .seconds(23))
        #expect(!actions.contains { if case .start = $0 { true } else { false } })
        let handBack = try exchange(next(&state, now: Self.start + .seconds(23)).0)
        #expect(handBack.settlements.map(\.lease) == [job(1).lease])
        #expect(handBack.settlements.map(\.outcome) == [.release])
    }

    // MARK: Cancels

    @Test("a moved lease counter has a running worker ask about its leases; a cancelled job is stopped")
    func cancelReachesRunningWorker() throws {
        var state = try running([job(1), job(2)])
        guard case .readCounters = state.next(now: Self.start).0 else { throw StepMismatch(step: "read counters") }
        state.countersRead(ChangeCounters(work: 0, leases: 1))
        guard case .checkLeases(let leases) = state.next(now: Self.start).0 else {
            throw StepMismatch(step: "check leases")
        }
        #expect(leases == [job(1).lease, job(2).lease])
        let actions = state.leasesChecked(lost: [job(2).lease])
        #expect(cancels(actions, 2))
        #expect(!cancels(actions, 1))
        #expect(actions.contains { if case .report(.leaseLost(let job)) = $0 { job.id == 2 } else { false } })
        state.jobEnded(job(2), result: .fail("interrupted", retryable: true), cancelled: true)
        let report = try exchange(next(&state, now: Self.start).0)
        #expect(report.stopped == [job(2).lease])
        #expect(report.settlements.isEmpty)
    }

    @Test("a running worker asks about its leases at most once a cancel-check interval")
    func leaseChecksAreBounded() throws {
        var state = try running([job(1)])
        var checks = 0
        var now = Self.start
        while now < Self.start + .seconds(1) {
            let (step, _) = state.next(now: now)
            switch step {
            case .readCounters:
                // Every read sees a counter that moved, as on a busy SQLite file.
                state.countersRead(ChangeCounters(work: 0, leases: Int64(now.millisecondsSince1970)))
            case .checkLeases:
                checks += 1
                _ = state.leasesChecked(lost: [])
            case .exchange:
                _ = state.exchanged(claimed([]), now: now)
            default:
                now = now + .milliseconds(1)
            }
        }
        #expect(checks == 5, "one every 200 ms over a second")
    }
}
