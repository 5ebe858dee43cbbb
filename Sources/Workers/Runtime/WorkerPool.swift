import Foundation
import Queue
import Synchronization

/// Keeps up to `concurrency` jobs running from a store, in one process.
///
/// One loop owns all talk with the store: each round trip settles every job that finished since the
/// last one, renews the leases that are due, and claims enough jobs to fill the free slots, in one
/// transaction. While that transaction commits, more jobs finish and wait for the next one, so the
/// commits are shared by as many jobs as are finishing (group commit). A settlement is reported
/// (`WorkerEvent.settled`) only once its transaction has committed.
///
/// The decisions are `WorkerState`'s; this type carries them out. While jobs run, each step with the
/// store runs in a task beside the loop, which meanwhile keeps time: a store that does not answer (a
/// server down, a lock held) cannot keep the loop from stopping a job whose lease it could not renew.
/// With nothing running there is nothing to stop, and the loop awaits the step itself (an idle worker
/// polls the change counter every millisecond; a task for each poll would double its cost). Store steps
/// run as children of a task group that `run()` owns; each job runs in one task of its own, which the
/// loop keeps to cancel it. `run()` returns only once every store step has ended and every job's handler
/// has returned (a job that throws the worker out is awaited first). Every wait is an alarm of the
/// worker's clock (`WorkerOptions.clock`).
///
/// A job costs one task. A job could be a child of the group too, but a child cannot be cancelled
/// alone: racing its handler against a cancel signal took a task group and two more tasks per job, and
/// measured with `switchboard bench queue` on a 2-core machine (release build, a handler that does
/// nothing) that machinery took about as much CPU as the store's transactions.
public final class WorkerPool: Sendable {
    private let store: JobStore
    private let handler: any JobHandler
    private let options: WorkerOptions
    private let onEvent: @Sendable (WorkerEvent) -> Void

    private let wakeup = Wakeup()
    private let mailbox = Mutex(Mailbox())

    /// What reaches the loop from outside it: jobs that ended, stop requests, and the answer to the store
    /// step that is out.
    private struct Mailbox {
        var ended: [(job: ClaimedJob, result: JobResult, cancelled: Bool, ranFor: Duration)] = []
        var stop: Bool?
        var answer: StoreAnswer?
    }

    /// How a store step came back.
    private enum StoreAnswer: Sendable {
        case exchanged(Result<WorkerExchangeResult, any Error>)
        case drainChecked(hasWork: Bool)
        case counters(ChangeCounters?)
        case lostLeases([Lease]?)
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
        mailbox.withLock { mailbox in
            mailbox.stop = immediately || mailbox.stop != nil
        }
        wakeup.signal()
    }

    /// Runs until a stop is requested and every job has been settled or handed back (or, with `drain`,
    /// until nothing is left to drain). Cancelling the calling task stops the worker immediately.
    /// - Throws: the store's error when it keeps failing in a way waiting does not mend.
    public func run() async throws -> WorkerReport {
        try await withTaskCancellationHandler {
            // Discarding: a long-lived worker starts a task per job and per store step, and keeps no result.
            try await withThrowingDiscardingTaskGroup { tasks in
                try await loop(tasks: &tasks)
            }
        } onCancel: {
            requestStop(immediately: true)
        }
    }

    private func loop(tasks: inout ThrowingDiscardingTaskGroup<any Error>) async throws -> WorkerReport {
        let clock = options.clock
        // A failed look at the store only prompts an exchange: the exchange is where store failures are judged.
        var state = WorkerState(
            options: options, kinds: handler.kinds, now: clock.now(),
            counters: (try? await store.changeCounters()) ?? ChangeCounters(work: 0, leases: 0)
        )
        var jobs: [Int64: Task<Void, Never>] = [:]
        var startedJobs = false
        func carryOut(_ actions: [WorkerState.Action]) {
            for action in actions {
                switch action {
                case .report(let event):
                    onEvent(event)
                case .start(let job):
                    jobs[job.id] = Task { await self.runJob(job) }
                    startedJobs = true
                case .cancel(let jobID):
                    jobs[jobID]?.cancel()
                }
            }
        }
        var answered: StoreAnswer?
        func startStoreStep(_ step: @escaping @Sendable () async -> StoreAnswer) async {
            guard !jobs.isEmpty else {
                answered = await step()
                return
            }
            tasks.addTask {
                let answer = await step()
                self.mailbox.withLock { $0.answer = answer }
                self.wakeup.signal()
            }
        }
        while true {
            // Jobs that could end now do, before the loop decides: the first job of a batch to end wakes
            // the loop, and without this the exchange it sends next carries only the jobs that happened to
            // end before the loop ran. The rest then end during that exchange and go in the next one, and
            // the worker settles every batch in two commits from then on (bench queue, no-op jobs: 623
            // exchanges for 40,000 jobs at 128 in flight, against 314 with the yield).
            if !jobs.isEmpty {
                await Task.yield()
            }
            startedJobs = false
            let (ended, stop, posted) = mailbox.withLock { mailbox in
                defer { (mailbox.ended, mailbox.stop, mailbox.answer) = ([], nil, nil) }
                return (mailbox.ended, mailbox.stop, mailbox.answer)
            }
            let answer = answered ?? posted
            answered = nil
            for (job, result, cancelled, ranFor) in ended {
                jobs[job.id] = nil
                state.jobEnded(job, result: result, cancelled: cancelled, ranFor: ranFor)
            }
            if let stop {
                state.requestStop(immediately: stop)
            }
            switch answer {
            case .exchanged(.success(let result)):
                carryOut(state.exchanged(result, now: clock.now()))
            case .exchanged(.failure(let error)):
                switch state.exchangeFailed(error, now: clock.now()) {
                case .retry(let actions):
                    carryOut(actions)
                case .giveUp(let actions):
                    carryOut(actions)
                    for job in jobs.values {
                        await job.value
                    }
                    throw error
                }
            case .drainChecked(let hasWork):
                state.drainChecked(hasWork: hasWork)
            case .counters(let counters):
                carryOut(state.countersRead(counters))
            case .lostLeases(let lost):
                carryOut(state.leasesChecked(lost: lost))
            case nil:
                break
            }
            // Jobs just started get the same chance before the next exchange: deciding at once sent one
            // with the few settlements left over from the last round, while the new batch ended during it
            // (two bench worker processes sharing a file fell into exchanges of 127 and 1 jobs in turn).
            if startedJobs {
                continue
            }
            let (step, actions) = state.next(now: clock.now())
            carryOut(actions)
            switch step {
            case .exchange(let request):
                await startStoreStep { [store] in
                    do {
                        return .exchanged(.success(try await store.exchange(request)))
                    } catch {
                        return .exchanged(.failure(error))
                    }
                }
            case .checkDrain:
                await startStoreStep { [store, options, handler] in
                    let hasWork =
                        options.drainScheduled
                        ? try? await store.hasLiveJobs(queues: options.queues, kinds: handler.kinds)
                        : try? await store.hasRunnableOrLeasedJobs(queues: options.queues, kinds: handler.kinds)
                    return .drainChecked(hasWork: hasWork ?? true)
                }
            case .readCounters:
                await startStoreStep { [store] in .counters(try? await store.changeCounters()) }
            case .checkLeases(let leases):
                await startStoreStep { [store] in .lostLeases(try? await store.lostLeases(leases)) }
            case .wait(let deadline):
                await wakeup.wait(until: deadline, clock: clock)
            case .finish:
                return state.report
            }
        }
    }

    /// Runs a job's handler in the calling task, which the loop cancels to stop the job, and posts how
    /// it ended.
    private func runJob(_ job: ClaimedJob) async {
        let started = ContinuousClock.now
        let result = await handler.run(job)
        let ranFor = ContinuousClock.now - started
        let cancelled = Task.isCancelled
        mailbox.withLock { $0.ended.append((job, result, cancelled, ranFor)) }
        wakeup.signal()
    }
}
