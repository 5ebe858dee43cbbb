import ChatStore
import Enqueuer
import Foundation
import Queue
import Testing
import Workers

/// The worker loop's liveness: work it made runnable itself, and the kinds it claims.
@Suite("The worker pool", .timeLimit(.minutes(1)))
struct WorkerPoolTests {
    /// Completes every job at once.
    struct CompleteAll: JobHandler {
        func run(_ job: ClaimedJob) async -> JobResult { .complete }
    }

    @Test("one worker runs ten jobs of one group back to back, without waiting for its idle poll")
    func groupFollowOnRunsAtOnce() async throws {
        let test = try await TestStore { $0.clock = SystemClock() }
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
        let store = try await SwitchboardDatabase.open(path: directory.databasePath)
        let welcome = try await store.enqueue(NewJob(queue: "chat", kind: "welcome")).jobID
        let result = try await SwitchboardProcess.run(
            ["work", "--links", "open", "--default-owner", "me", "--local-replies", directory.path("replies"), "--drain"],
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
        let store = try await SwitchboardDatabase.open(path: directory.databasePath)
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
}
