import Foundation
import Queue
import Testing
import Workers

/// The worker loop's rules, driven directly: events in, steps and actions out, no store and no clock.
@Suite("The worker's decisions")
struct WorkerStateTests {
    static let start = Timestamp(millisecondsSince1970: 1_700_000_000_000)

    /// Options with the worker's defaults; `quiet` stretches the idle poll, so the waits a test looks at
    /// are the heartbeat's and the grace's.
    private func options(drain: Bool = false, quiet: Bool = false) -> WorkerOptions {
        WorkerOptions(
            queues: ["q"], concurrency: 4, leaseDuration: .seconds(30), workerID: "w", shutdownGrace: .seconds(5),
            drain: drain, pollInterval: quiet ? .seconds(3600) : .milliseconds(1),
            maxIdleWait: quiet ? .seconds(3600) : .seconds(1)
        )
    }

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

    struct StepMismatch: Error {
        let step: String
    }

    private func claimed(_ jobs: [ClaimedJob], settled: [SettlementResult] = [], lost: [Lease] = [])
        -> WorkerExchangeResult
    {
        WorkerExchangeResult(settled: settled, lostLeases: lost, claimed: jobs, nextDueAt: nil)
    }

    /// A state that has claimed `jobs` in its first exchange.
    private func running(_ jobs: [ClaimedJob], options: WorkerOptions? = nil) throws -> WorkerState {
        var state = WorkerState(options: options ?? self.options(), kinds: nil, now: Self.start, changeCounter: 0)
        let first = try exchange(state.next(now: Self.start).0)
        #expect(first.claimLimit == 4)
        _ = state.exchanged(claimed(jobs))
        return state
    }

    @Test("a finished job is settled in the same exchange that claims work for its slot")
    func settleAndClaimTogether() throws {
        var state = try running([job(1)])
        state.jobEnded(job(1), result: .complete, cancelled: false)
        let exchange = try exchange(state.next(now: Self.start).0)
        #expect(exchange.settlements.map(\.lease.jobID) == [1])
        #expect(exchange.claimLimit == 4, "the settlement may have made its group's next job runnable")
    }

    @Test("an idle worker waits, polling the change counter, and claims when it moves")
    func idleWaitsForChanges() throws {
        var state = try running([])
        guard case .wait(let deadline, true) = state.next(now: Self.start).0 else { throw StepMismatch(step: "wait") }
        #expect(deadline == Self.start + .milliseconds(1))
        state.changeCounterRead(0)
        guard case .wait = state.next(now: deadline).0 else { throw StepMismatch(step: "wait again") }
        state.changeCounterRead(7)
        #expect(try exchange(state.next(now: deadline).0).claimLimit == 4)
    }

    @Test("heartbeats renew every running lease a third of the way through it")
    func heartbeats() throws {
        var state = try running([job(1), job(2)], options: options(quiet: true))
        let (early, _) = state.next(now: Self.start + .seconds(9))
        guard case .wait(let deadline, _) = early else { throw StepMismatch(step: "wait") }
        #expect(deadline <= Self.start + .seconds(10))
        let beat = try exchange(state.next(now: Self.start + .seconds(10)).0)
        #expect(beat.heartbeats.map(\.jobID) == [1, 2])
        _ = state.exchanged(claimed([]))
        guard case .wait(let next, _) = state.next(now: Self.start + .seconds(10)).0 else {
            throw StepMismatch(step: "wait")
        }
        #expect(next <= Self.start + .seconds(20))
    }

    @Test("a lease lost at a heartbeat cancels its job, and the job's result is dropped")
    func leaseLost() throws {
        var state = try running([job(1)])
        _ = try exchange(state.next(now: Self.start + .seconds(10)).0)
        let actions = state.exchanged(claimed([], lost: [job(1).lease]))
        #expect(actions.contains { if case .cancel(1) = $0 { true } else { false } })
        #expect(state.report.leasesLost == 1)
        state.jobEnded(job(1), result: .complete, cancelled: true)
        if case .exchange(let after) = state.next(now: Self.start + .seconds(10)).0 {
            #expect(after.settlements.isEmpty, "a job whose lease is lost is settled by nobody")
        }
    }

    @Test("a graceful stop waits out the grace, then cancels running jobs and hands them back")
    func gracefulStop() throws {
        var state = try running([job(1)], options: options(quiet: true))
        state.requestStop(immediately: false)
        let (step, actions) = state.next(now: Self.start)
        #expect(actions.contains { if case .report(.stopping(inFlight: 1)) = $0 { true } else { false } })
        guard case .wait(let deadline, false) = step else { throw StepMismatch(step: "wait, claiming nothing") }
        #expect(deadline == Self.start + .seconds(5))
        let (_, cancels) = state.next(now: deadline)
        #expect(cancels.contains { if case .cancel(1) = $0 { true } else { false } })
        state.jobEnded(job(1), result: .fail("interrupted", retryable: true), cancelled: true)
        let handBack = try exchange(state.next(now: deadline).0)
        #expect(handBack.settlements.map(\.outcome) == [.release])
        #expect(handBack.claimLimit == 0)
        _ = state.exchanged(claimed([], settled: [.scheduled(at: deadline)]))
        guard case .finish = state.next(now: deadline).0 else { throw StepMismatch(step: "finish") }
    }

    @Test("a second stop request skips the grace")
    func secondStopIsImmediate() throws {
        var state = try running([job(1)])
        state.requestStop(immediately: false)
        _ = state.next(now: Self.start)
        state.requestStop(immediately: false)
        let (_, actions) = state.next(now: Self.start + .seconds(1))
        #expect(actions.contains { if case .cancel(1) = $0 { true } else { false } })
    }

    @Test("contention is waited out for as long as it lasts; other store failures end the worker")
    func storeFailures() throws {
        var state = try running([])
        for _ in 0..<20 {
            _ = try exchange(state.next(now: Self.start + .seconds(2)).0)
            guard case .retry = state.exchangeFailed(QueueError(.contended, "locked"), now: Self.start) else {
                throw StepMismatch(step: "retry")
            }
        }
        for attempt in 1...WorkerState.storeFailureLimit {
            _ = try exchange(state.next(now: Self.start + .seconds(2)).0)
            let failure = state.exchangeFailed(QueueError(.internal, "disk"), now: Self.start)
            switch (failure, attempt == WorkerState.storeFailureLimit) {
            case (.retry, false), (.giveUp, true): break
            default: Issue.record("attempt \(attempt): \(failure)")
            }
        }
    }

    @Test("the settlements of a failed exchange go again with the next")
    func failedSettlementsResent() throws {
        var state = try running([job(1), job(2)])
        state.jobEnded(job(1), result: .complete, cancelled: false)
        _ = try exchange(state.next(now: Self.start).0)
        state.jobEnded(job(2), result: .complete, cancelled: false)
        _ = state.exchangeFailed(QueueError(.contended, "locked"), now: Self.start)
        let again = try exchange(state.next(now: Self.start + .seconds(1)).0)
        #expect(again.settlements.map(\.lease.jobID) == [1, 2])
    }

    @Test("a draining worker finishes once the store has nothing runnable or leased")
    func drainFinishes() throws {
        var state = try running([], options: options(drain: true))
        guard case .checkDrain = state.next(now: Self.start).0 else { throw StepMismatch(step: "check drain") }
        state.drainChecked(hasWork: false)
        guard case .finish = state.next(now: Self.start).0 else { throw StepMismatch(step: "finish") }
    }
}
