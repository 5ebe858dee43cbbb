import Foundation
import Queue
import Testing

/// An operator's control of single jobs: cancel, run now, and paging through the list.
@Suite("Job control", .timeLimit(.minutes(3)))
struct JobControlTests {
    @Test(
        "cancelling a group's ready head dead-letters it as cancelled, runs the next, sends no notice, keeps its key",
        arguments: TestBackend.conformance)
    func cancelHead(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let notice = DeadLetterNotice(queue: "chat", kind: "turn.failed")
        let head = try await t.store.enqueue(
            NewJob(
                queue: "q", kind: "k", groupKey: "g", dedupe: DedupeKey("m-1", timeToLive: .seconds(60)),
                onDeadLetter: notice)
        ).jobID
        let next = try await t.enqueue(group: "g").jobID
        #expect(try await t.store.cancel(jobID: head) == .ready)
        let record = try #require(try await t.store.job(id: head))
        #expect(record.state == .dead && record.deadReason == .cancelled)
        #expect(try await t.store.job(id: next)?.state == .ready, "the group's next job runs")
        #expect(try await t.store.jobs(queue: "chat").isEmpty, "no dead-letter notice for a cancel")
        #expect(try await t.store.stats().dedupeKeysHeld == 1, "a redelivery does not bring it back")
        #expect(
            try await t.store.enqueue(
                NewJob(queue: "q", kind: "k", dedupe: DedupeKey("m-1", timeToLive: .seconds(60)))
            ).status == .duplicate)
    }

    @Test(
        "a leased job is cancelled at once, and its holder loses the lease at its next call",
        arguments: TestBackend.conformance
    )
    func cancelLeased(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        try await t.enqueue(group: "g")
        let waiting = try await t.enqueue(group: "g").jobID
        let job = try #require(try await t.claim().first)
        #expect(try await t.store.cancel(jobID: job.id) == .leased)
        let heartbeat = await #expect(throws: QueueError.self) {
            try await t.store.heartbeat(job.lease, leaseDuration: .seconds(30))
        }
        #expect(heartbeat?.code == .leaseLost)
        let completion = await #expect(throws: QueueError.self) { try await t.store.complete(job.lease) }
        #expect(completion?.code == .leaseLost)
        #expect(try await t.store.job(id: job.id)?.deadReason == .cancelled, "the holder's result is discarded")
        #expect(try await t.store.job(id: waiting)?.state == .ready)
    }

    @Test("a blocked job is cancelled without disturbing its group's head or order", arguments: TestBackend.conformance)
    func cancelBlocked(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let head = try await t.enqueue(group: "g").jobID
        let second = try await t.enqueue(group: "g").jobID
        let third = try await t.enqueue(group: "g").jobID
        #expect(try await t.store.cancel(jobID: second) == .blocked)
        #expect(try await t.store.job(id: head)?.state == .ready)
        #expect(try await t.store.job(id: third)?.state == .blocked)
        let claimed = try #require(try await t.claim().first)
        #expect(claimed.id == head)
        try await t.store.complete(claimed.lease)
        #expect(try await t.store.job(id: third)?.state == .ready, "the cancelled job is skipped")
    }

    @Test("what is not live is left as it was; a missing id says so", arguments: TestBackend.conformance)
    func cancelNotLive(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let id = try await t.enqueue().jobID
        #expect(try await t.store.cancel(jobID: id) == .ready)
        #expect(try await t.store.cancel(jobID: id) == .dead)
        #expect(try await t.store.job(id: id)?.deadReason == .cancelled)
        #expect(try await t.store.cancel(jobID: 999) == nil)
        #expect(try await t.store.runNow(jobID: 999) == nil)
    }

    @Test(
        "run now: a scheduled job becomes ready, a dead letter is redriven, others stay",
        arguments: TestBackend.conformance)
    func runNow(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let later = try await t.enqueue(runAt: .after(.seconds(3_600))).jobID
        #expect(try await t.claim().isEmpty)
        #expect(try await t.store.runNow(jobID: later) == .scheduled)
        let claimed = try #require(try await t.claim().first)
        #expect(claimed.id == later)
        #expect(try await t.store.runNow(jobID: later) == .leased)
        #expect(try await t.store.job(id: later)?.state == .leased, "a running job is left to run")
        try await t.store.fail(claimed.lease, error: "no", retryable: false)
        #expect(try await t.store.runNow(jobID: later) == .dead)
        let redriven = try #require(try await t.store.job(id: later))
        #expect(redriven.state == .ready && redriven.attempts == 0)
        #expect(try await t.store.runNow(jobID: later) == .ready)
    }

    @Test(
        "jobs list pages with after: each page starts past the last id of the one before",
        arguments: TestBackend.conformance)
    func paging(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        for _ in 0..<7 { try await t.enqueue() }
        var seen: [Int64] = []
        var after: Int64?
        while true {
            let page = try await t.store.jobs(after: after, limit: 3)
            guard let last = page.last else { break }
            seen += page.map(\.id)
            after = last.id
        }
        #expect(seen == Array(1...7).map(Int64.init))
    }

    @Test(
        "a paused queue's jobs are claimed by no store until it is resumed; other queues run on",
        arguments: TestBackend.conformance)
    func pause(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let other = try await t.reopen()
        let paused = try await t.enqueue(queue: "a").jobID
        let running = try await t.enqueue(queue: "b").jobID
        #expect(try await t.store.pause(queue: "a"))
        #expect(try await !t.store.pause(queue: "a"), "paused already")
        #expect(try await other.pausedQueues().keys.sorted() == ["a"])
        let claimed = try await other.claim(queues: ["a", "b"], limit: 10, leaseDuration: .seconds(30), workerID: "w")
        #expect(claimed.map(\.id) == [running], "another process sees the pause")
        #expect(try await !other.hasRunnableOrLeasedJobs(queues: ["a"]), "a drain does not wait for a paused queue")
        #expect(try await t.store.resume(queue: "a"))
        #expect(try await !t.store.resume(queue: "a"), "not paused any more")
        let resumed = try await other.claim(queues: ["a", "b"], limit: 10, leaseDuration: .seconds(30), workerID: "w")
        #expect(resumed.map(\.id) == [paused])
    }

    @Test("a store opened without the chat tables is refused before it numbers the database past them")
    func partialSchemaRefused() async throws {
        let directory = try TestDirectory()
        let error = await #expect(throws: QueueError.self) {
            try await JobStore.open(.sqlite(path: directory.databasePath))
        }
        #expect(error?.message.contains("SwitchboardDatabase.open") == true)
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
    }
}
