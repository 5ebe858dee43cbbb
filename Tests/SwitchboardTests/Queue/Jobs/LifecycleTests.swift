import ChatStore
import Foundation
import Queue
import Testing

@Suite("Job lifecycle")
struct LifecycleTests {
    @Test("enqueue, claim and complete: the job is leased once, then gone", arguments: TestBackend.conformance)
    func enqueueClaimComplete(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let enqueued = try await t.enqueue("greet")
        #expect(enqueued.status == .enqueued)

        let claimed = try await t.claim(10)
        #expect(claimed.map(\.id) == [enqueued.jobID])
        #expect(claimed[0].attempt == 1)
        #expect(claimed[0].kind == "greet")
        #expect(String(decoding: claimed[0].payload, as: UTF8.self) == "{\"kind\":\"greet\"}")
        #expect(try await t.claim(10).isEmpty, "a leased job is not claimed twice")

        #expect(try await t.store.complete(claimed[0].lease) == .completed)
        #expect(try await t.store.job(id: enqueued.jobID) == nil, "completed jobs are deleted by default")
        #expect(try await t.claim(10).isEmpty)
    }

    @Test("claims take the highest priority first, then the oldest", arguments: TestBackend.conformance)
    func priorityThenAge(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let low = try await t.enqueue("low", priority: 0).jobID
        let high1 = try await t.enqueue("high1", priority: 5).jobID
        let high2 = try await t.enqueue("high2", priority: 5).jobID
        let mid = try await t.enqueue("mid", priority: 1).jobID
        #expect(try await t.claim(3).map(\.id) == [high1, high2, mid])
        #expect(try await t.claim(3).map(\.id) == [low])
    }

    @Test(
        "claims across several queues merge by priority and age, and leave other queues alone",
        arguments: TestBackend.conformance)
    func severalQueues(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let a1 = try await t.enqueue(queue: "a").jobID
        let b1 = try await t.enqueue(queue: "b", priority: 2).jobID
        let a2 = try await t.enqueue(queue: "a").jobID
        _ = try await t.enqueue(queue: "c", priority: 9)
        let claimed = try await t.store.claim(queues: ["a", "b"], limit: 10, leaseDuration: .seconds(5), workerID: "w")
        #expect(claimed.map(\.id) == [b1, a1, a2])
    }

    @Test("a delayed job is not claimed before its run-at", arguments: TestBackend.conformance)
    func delayedJob(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let id = try await t.enqueue(runAt: .after(.seconds(60))).jobID
        #expect(try await t.claim().isEmpty)
        t.clock.advance(by: .seconds(59))
        #expect(try await t.claim().isEmpty)
        t.clock.advance(by: .seconds(1))
        #expect(try await t.claim().map(\.id) == [id])
    }

    @Test(
        "a retryable failure waits out its backoff, then runs as the next attempt", arguments: TestBackend.conformance)
    func retryAfterBackoff(backend: TestBackend) async throws {
        let t = try await TestStore(backend) {
            $0.retryPolicies = RetryPolicies(fallback: .exponentialJitter(jitter: 0))
        }
        let id = try await t.enqueue(maxAttempts: 3).jobID
        let first = try await t.claim()[0]
        let result = try await t.store.fail(first.lease, error: "boom", retryable: true)
        #expect(result == .scheduled(at: t.clock.now() + .seconds(1)))
        #expect(try await t.claim().isEmpty)
        t.clock.advance(by: .seconds(1))
        let second = try await t.claim()
        #expect(second.map(\.id) == [id])
        #expect(second[0].attempt == 2)
        let record = try #require(try await t.store.job(id: id))
        #expect(record.lastError == "boom")
        #expect(record.errorHistory.map(\.attempt) == [1])
    }

    @Test("snooze puts the job back after the delay without spending an attempt", arguments: TestBackend.conformance)
    func snoozeKeepsAttempts(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let id = try await t.enqueue(maxAttempts: 1).jobID
        for _ in 0..<5 {
            let job = try #require(try await t.claim().first)
            #expect(job.attempt == 1)
            #expect(
                try await t.store.snooze(job.lease, for: .seconds(10)) == .scheduled(at: t.clock.now() + .seconds(10)))
            #expect(try await t.claim().isEmpty)
            t.clock.advance(by: .seconds(10))
        }
        let job = try #require(try await t.claim().first)
        #expect(job.id == id)
        #expect(try await t.store.complete(job.lease) == .completed)
    }

    @Test(
        "completed jobs are kept for the retention window, then pruned in bounded batches",
        arguments: TestBackend.conformance)
    func retention(backend: TestBackend) async throws {
        let t = try await TestStore(backend) { $0.completedRetention = .seconds(3600) }
        for _ in 0..<5 {
            try await t.enqueue()
        }
        for job in try await t.claim(5) {
            try await t.store.complete(job.lease)
        }
        #expect(try await t.store.jobs(state: .completed).count == 5)
        #expect(try await t.store.pruneCompleted() == 0, "inside the window nothing is pruned")
        t.clock.advance(by: .seconds(3600))
        #expect(try await t.store.pruneCompleted(limit: 2) == 2)
        #expect(try await t.store.pruneCompleted(limit: 10) == 3)
        #expect(try await t.store.jobs().isEmpty)
    }

    @Test("settling a batch in one exchange reports each job's result", arguments: TestBackend.conformance)
    func exchangeSettlesBatch(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        for _ in 0..<3 {
            try await t.enqueue(maxAttempts: 1)
        }
        let jobs = try await t.claim(3)
        let result = try await t.store.exchange(
            WorkerExchange(
                workerID: "w1", leaseDuration: .seconds(30),
                settlements: [
                    Settlement(jobs[0].lease, .complete),
                    Settlement(jobs[1].lease, .fail(error: "nope", retryable: true)),
                    Settlement(jobs[2].lease, .release),
                ]
            )
        )
        #expect(result.settled == [.completed, .deadLettered(.attemptsExhausted), .scheduled(at: t.clock.now())])
        #expect(try await t.claim(3).map(\.id) == [jobs[2].id])
    }

    @Test(
        "in one exchange, a lease settled twice or an outdated token finds its lease no longer held",
        arguments: TestBackend.conformance)
    func exchangeFencesEachSettlement(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        for _ in 0..<2 {
            try await t.enqueue(maxAttempts: 3)
        }
        let jobs = try await t.claim(2)
        let outdated = Lease(jobID: jobs[1].id, token: jobs[1].lease.token - 1)
        let result = try await t.store.exchange(
            WorkerExchange(
                workerID: "w1", leaseDuration: .seconds(30),
                settlements: [
                    Settlement(jobs[0].lease, .fail(error: "first", retryable: true)),
                    Settlement(jobs[0].lease, .fail(error: "second", retryable: true)),
                    Settlement(outdated, .complete),
                ]
            )
        )
        #expect(result.settled.count == 3)
        #expect(result.settled[0] != .leaseLost)
        #expect(Array(result.settled[1...]) == [.leaseLost, .leaseLost])
        let first = try #require(try await t.store.job(id: jobs[0].id))
        #expect(first.attempts == 1)
        #expect(first.lastError == "first")
        #expect(try await t.store.job(id: jobs[1].id)?.state == .leased)
    }

    @Test(
        "a large batch mixing plain jobs with keyed, grouped and delayed ones: each result is its own job's",
        arguments: TestBackend.conformance)
    func mixedBatch(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        // Runs of plain jobs of 130, 65, 64 and 37 (two rows over SQLite's 64 per INSERT, one over, one at
        // it, one under), broken by a keyed job, a grouped one, the same key again and the same group again.
        let keyed = [130, 261]
        let grouped = [196, 262]
        let jobs = (0..<300).map { n in
            NewJob(
                queue: "q\(n % 2)", kind: "k\(n % 3)", payload: Data("{\"n\":\(n)}".utf8), priority: n % 4,
                runAt: n % 5 == 0 ? .after(.seconds(3600)) : .now, maxAttempts: n % 7 == 0 ? nil : n % 7,
                groupKey: grouped.contains(n) ? "g" : nil,
                dedupe: keyed.contains(n) ? DedupeKey("key", timeToLive: .seconds(60)) : nil)
        }
        let results = try await t.store.enqueue(jobs)
        #expect(results.count == jobs.count)
        #expect(results[261].status == .duplicate && results[261].jobID == results[130].jobID)
        let written = results.enumerated().filter { $0.element.status == .enqueued }
        #expect(written.count == 299)
        #expect(written.map(\.element.jobID) == written.map(\.element.jobID).sorted(), "ids follow the batch's order")
        for (n, result) in written {
            let job = try #require(try await t.store.job(id: result.jobID))
            #expect(String(decoding: job.payload, as: UTF8.self) == "{\"n\":\(n)}")
            #expect(job.queue == "q\(n % 2)" && job.kind == "k\(n % 3)" && job.priority == n % 4, "job \(n)")
            #expect(job.maxAttempts == (n % 7 == 0 ? StoreOptions().defaultMaxAttempts : n % 7), "job \(n)")
            let due: JobState = n % 5 == 0 ? .scheduled : .ready
            #expect(job.state == (n == 262 ? .blocked : due), "job \(n)")
            #expect(job.runAt == (n % 5 == 0 ? job.createdAt + .seconds(3600) : job.createdAt), "job \(n)")
            #expect(job.groupKey == (grouped.contains(n) ? "g" : nil) && job.dedupeKey == (n == 130 ? "key" : nil))
        }
    }

    @Test("invalid jobs are refused with the field named, and nothing is written", arguments: TestBackend.conformance)
    func invalidJobs(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let good = NewJob(queue: "q", kind: "k")
        let cases: [(NewJob, String)] = [
            (NewJob(queue: "", kind: "k"), "queue"),
            (NewJob(queue: "q", kind: ""), "kind"),
            (NewJob(queue: "q", kind: "k", maxAttempts: 0), "max_attempts"),
            (NewJob(queue: "q", kind: "k", dedupe: DedupeKey("", timeToLive: .seconds(1))), "dedupe_key"),
            (NewJob(queue: "q", kind: "k", dedupe: DedupeKey("x", timeToLive: .zero)), "dedupe_ttl"),
        ]
        for (bad, field) in cases {
            let error = await #expect(throws: QueueError.self) { try await t.store.enqueue([good, bad]) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix(field) == true, "\(error?.message ?? "") names \(field)")
        }
        #expect(try await t.store.jobs().isEmpty)
    }
}

@Suite("Stored text")
struct StoredTextTests {
    @Test(
        "text with U+0000, emoji and combining marks is stored and read back whole", arguments: TestBackend.conformance)
    func embeddedNul(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let text = "before\u{0}after 👩‍👩‍👧 e\u{301}"
        try await t.store.enqueue(
            NewJob(queue: "q", kind: "k").attaching(
                ConversationMessage(conversation: "c\u{0}1", role: .user, text: text))
        )
        #expect(try await t.chat.history(conversation: "c\u{0}1").map(\.text) == [text])
        #expect(try await t.chat.history(conversation: "c").isEmpty, "keys are not cut at the NUL either")
    }
}
