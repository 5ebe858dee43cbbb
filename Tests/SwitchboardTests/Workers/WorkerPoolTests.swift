import ChatStore
import Enqueuer
import Foundation
import Queue
import Synchronization
import Testing
import Workers

/// The worker loop's liveness: work it made runnable itself, and the kinds it claims.
@Suite("The worker pool", .timeLimit(.minutes(3)))
struct WorkerPoolTests {
    /// Completes every job at once.
    struct CompleteAll: JobHandler {
        func run(_ job: ClaimedJob) async -> JobResult { .complete }
    }

    @Test(
        "one worker runs ten jobs of one group back to back, without waiting for its idle poll",
        arguments: TestBackend.all)
    func groupFollowOnRunsAtOnce(backend: TestBackend) async throws {
        let test = try await TestStore(backend) { $0.clock = SystemClock() }
        for _ in 0..<10 {
            try await test.enqueue(group: "conversation-1")
        }
        // An idle wait of an hour: a worker that waited for it before claiming the group's next job
        // would not finish within the suite's time limit.
        let pool = WorkerPool(
            store: test.store, handler: CompleteAll(),
            options: WorkerOptions(queues: ["q"], concurrency: 4, drain: true, maxIdleWait: .seconds(3600))
        )
        let report = try await pool.run()
        #expect(report.completed == 10)
        #expect(try await test.store.stats().totals.values.reduce(0, +) == 0)
    }

    @Test("a chat worker without --exec leaves other kinds alone, and drains without them")
    func chatWorkerClaimsOnlyChatKinds() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let welcome = try await store.enqueue(NewJob(queue: "chat", kind: "welcome")).jobID
        let result = try await SwitchboardProcess.run(
            [
                "work", "--links", "open", "--default-owner", "me", "--local-replies", directory.path("replies"),
                "--drain",
            ],
            database: directory.databasePath
        )
        #expect(result.status == 0, "\(result.stderr)")
        let job = try #require(try await store.job(id: welcome))
        #expect(job.state == .ready, "the welcome job waits for a worker that runs it")
        #expect(job.attempts == 0)
    }

    @Test("--kinds narrows --exec to the kinds it names")
    func kindsNarrowExec() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let mail = try await store.enqueue(NewJob(queue: "q", kind: "mail")).jobID
        let report = try await store.enqueue(NewJob(queue: "q", kind: "report")).jobID
        let result = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--exec", "true", "--kinds", "mail", "--drain"], database: directory.databasePath
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await store.job(id: mail) == nil, "mail was run and completed")
        #expect(try await store.job(id: report)?.state == .ready)
    }

    @Test("--kinds without --exec is a usage error")
    func kindsNeedExec() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(["work", "--kinds", "mail"], database: directory.databasePath)
        #expect(result.status == 64)
        #expect(result.stderr.contains("--kinds"))
    }

    /// Holds every job until the test opens the gate, or until its task is cancelled.
    final class GatedHandler: JobHandler {
        private let gate = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
        private let entries = Mutex(0)

        /// How many times the handler was called: a job counts as running only from here, since the
        /// store shows it leased before the worker has read its claim's answer.
        var entered: Int { entries.withLock { $0 } }

        func open() {
            let waiters = gate.withLock { gate in
                gate.open = true
                defer { gate.waiters.removeAll() }
                return gate.waiters
            }
            waiters.forEach { $0.resume() }
        }

        func run(_ job: ClaimedJob) async -> JobResult {
            entries.withLock { $0 += 1 }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let openAlready = gate.withLock { gate in
                        if gate.open || Task.isCancelled { return true }
                        gate.waiters.append(continuation)
                        return false
                    }
                    if openAlready { continuation.resume() }
                }
            } onCancel: {
                open()
            }
            return Task.isCancelled ? .fail("interrupted", retryable: true) : .complete
        }
    }

    /// The events a worker reported.
    final class EventLog: Sendable {
        let events = Mutex<[WorkerEvent]>([])

        var leaseLost: Bool {
            events.withLock { $0.contains { if case .leaseLost = $0 { true } else { false } } }
        }
    }

    /// The report of a pool run by `running`; a test cancelled meanwhile (by its time limit) opens the
    /// handler's gate, so the pool ends and the test run is not held up by its unstructured task.
    private func report(of running: Task<WorkerReport, any Error>, releasing handler: GatedHandler) async throws
        -> WorkerReport
    {
        try await withTaskCancellationHandler {
            try await running.value
        } onCancel: {
            handler.open()
        }
    }

    /// A worker on the test store's manual clock whose only alarms are its heartbeats, its fences and its
    /// grace.
    private func quietPool(_ test: TestStore, _ handler: any JobHandler, log: EventLog? = nil) -> WorkerPool {
        var options = WorkerOptions(
            queues: ["q"], concurrency: 1, leaseDuration: .seconds(30), shutdownGrace: .seconds(5),
            pollInterval: .seconds(3600), maxIdleWait: .seconds(3600)
        )
        options.cancelCheckInterval = .seconds(3600)
        options.clock = test.clock
        return WorkerPool(
            store: test.store, handler: handler, options: options,
            onEvent: { event in log?.events.withLock { $0.append(event) } }
        )
    }

    @Test("heartbeats keep a running job's lease through a minute of the manual clock", arguments: TestBackend.all)
    func heartbeatsOnTheManualClock(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let id = try await test.enqueue().jobID
        let handler = GatedHandler()
        let pool = quietPool(test, handler)
        let running = Task { try await pool.run() }
        try await waitUntil("the job is running") { handler.entered == 1 }
        // A renewal runs beside the worker's loop, which meanwhile keeps time: move the clock to each
        // heartbeat only once the one before has been written.
        let claimedAt = test.clock.now()
        for beat in 1...6 {
            let due = claimedAt + .seconds(10 * beat)
            test.clock.advance(by: due - test.clock.now())
            try await waitUntil("heartbeat \(beat) renewed the lease") {
                try await test.store.job(id: id)?.leaseExpiresAt == due + .seconds(30)
            }
        }
        let job = try #require(try await test.store.job(id: id))
        #expect(job.state == .leased)
        #expect(job.attempts == 1)
        handler.open()
        try await waitUntil("the job is completed") { try await test.store.job(id: id) == nil }
        pool.requestStop()
        #expect(try await report(of: running, releasing: handler).completed == 1)
    }

    @Test(
        "a stop lets a running job have exactly the shutdown grace of the clock, then hands it back",
        arguments: TestBackend.all)
    func graceOnTheManualClock(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let id = try await test.enqueue().jobID
        let handler = GatedHandler()
        let pool = quietPool(test, handler)
        let running = Task { try await pool.run() }
        try await waitUntil("the job is running") { handler.entered == 1 }
        let stopped = test.clock.now()
        pool.requestStop()
        // Once the worker has read the stop, its first alarm is the end of the grace (before the next
        // heartbeat's, at 10 s); nothing is cut short before it.
        try await waitUntil("the grace's alarm is set") { await test.clock.nextAlarm() == stopped + .seconds(5) }
        await test.clock.advanceToNextAlarm()
        let report = try await report(of: running, releasing: handler)
        #expect(report.snoozed == 1, "handed back")
        let job = try #require(try await test.store.job(id: id))
        #expect(job.state == .ready)
        #expect(job.attempts == 0)
    }

    @Test(
        "a worker that stalls past its lease stops the job itself, and that attempt's result changes nothing",
        arguments: TestBackend.all)
    func leaseLossOnTheManualClock(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        _ = try await test.enqueue()
        let log = EventLog()
        let handler = GatedHandler()
        let pool = quietPool(test, handler, log: log)
        let running = Task { try await pool.run() }
        // Waiting for the handler, not for the row: a clock moved before the worker read its claim's
        // answer would have it hand the job back unrun and claim it again.
        try await waitUntil("the job is running") { handler.entered == 1 }
        // The heartbeat due at 10 s runs only at 31 s: the lease ran out at 30, and the job's fence at 22.5.
        test.clock.advance(by: .seconds(31))
        try await waitUntil("the lease is reported lost") { log.leaseLost }
        pool.requestStop()
        let report = try await report(of: running, releasing: handler)
        #expect(report.leasesLost == 1)
        // The store recovered the expired lease; whatever ran the job again, the stalled attempt
        // (lease 1) settled nothing.
        let settledFirstLease = log.events.withLock { events in
            events.contains { if case .settled(let job, _, _) = $0 { job.lease.token == 1 } else { false } }
        }
        #expect(!settledFirstLease)
    }
}
