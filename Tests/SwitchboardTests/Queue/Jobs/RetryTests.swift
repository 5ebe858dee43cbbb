import Foundation
import Queue
import Testing

@Suite("Backoff and dead letters")
struct RetryTests {
    @Test(
        "the backoff schedule doubles from the initial delay up to the cap",
        arguments: [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0), (9, 256.0), (10, 300.0), (40, 300.0)]
    )
    func schedule(attempt: Int, seconds: Double) {
        let policy = RetryPolicy.exponentialJitter(initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(300))
        #expect(policy.delay(afterAttempt: attempt, unit: 0) == .milliseconds(Int64(seconds * 1000)))
        let shortest = policy.delay(afterAttempt: attempt, unit: 0.999_999)
        #expect(shortest >= .milliseconds(Int64(seconds * 750)))
        #expect(shortest < .milliseconds(Int64(seconds * 1000)))
    }

    @Test(
        "the store schedules each retry inside its policy's jitter window, per kind", arguments: TestBackend.conformance
    )
    func storeAppliesPolicyPerKind(backend: TestBackend) async throws {
        let slow = RetryPolicy.exponentialJitter(initialDelay: .seconds(10), maxDelay: .seconds(60), jitter: 0.5)
        let t = try await TestStore(backend) { $0.retryPolicies = RetryPolicies(byKind: ["slow": slow]) }
        let id = try await t.enqueue("slow", maxAttempts: 10).jobID
        var expectedNominal: [Double] = [10, 20, 40, 60, 60]
        while let nominal = expectedNominal.first {
            expectedNominal.removeFirst()
            let job = try #require(try await t.claim().first)
            #expect(job.id == id)
            guard case .scheduled(let at) = try await t.store.fail(job.lease, error: "e", retryable: true) else {
                Issue.record("a retryable failure with attempts left is scheduled")
                return
            }
            let delay = (at - t.clock.now()).seconds
            #expect(delay >= nominal * 0.5 && delay <= nominal, "attempt \(job.attempt): \(delay)s of \(nominal)s")
            t.clock.advance(by: at - t.clock.now())
        }
    }

    @Test(
        "a non-retryable failure dead-letters at once, with its reason and history", arguments: TestBackend.conformance)
    func nonRetryable(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let id = try await t.enqueue(maxAttempts: 5).jobID
        let job = try await t.claim()[0]
        #expect(
            try await t.store.fail(job.lease, error: "401 unauthorized", retryable: false)
                == .deadLettered(.nonRetryable))
        let dead = try await t.store.deadLetter(id: id)
        #expect(dead.state == .dead)
        #expect(dead.deadReason == .nonRetryable)
        #expect(dead.lastError == "401 unauthorized")
        #expect(try await t.store.stats().deadLetters == 1)
        #expect(try await t.claim().isEmpty)
    }

    @Test("an exhausted job is dead-lettered with every attempt's error", arguments: TestBackend.conformance)
    func exhausted(backend: TestBackend) async throws {
        let t = try await TestStore(backend) {
            $0.retryPolicies = RetryPolicies(fallback: .exponentialJitter(jitter: 0))
        }
        let id = try await t.enqueue(maxAttempts: 3).jobID
        for attempt in 1...3 {
            let job = try #require(try await t.claim().first)
            let result = try await t.store.fail(job.lease, error: "failure \(attempt)", retryable: true)
            if attempt < 3 {
                t.clock.advance(by: .seconds(600))
            } else {
                #expect(result == .deadLettered(.attemptsExhausted))
            }
        }
        let dead = try await t.store.deadLetter(id: id)
        #expect(dead.errorHistory.map(\.error) == ["failure 1", "failure 2", "failure 3"])
        #expect(dead.attempts == 3)
    }

    @Test("the error history keeps only the most recent failures", arguments: TestBackend.conformance)
    func boundedHistory(backend: TestBackend) async throws {
        let t = try await TestStore(backend) {
            $0.errorHistoryLimit = 3
            $0.retryPolicies = RetryPolicies(fallback: .exponentialJitter(jitter: 0))
        }
        let id = try await t.enqueue(maxAttempts: 6).jobID
        for attempt in 1...6 {
            let job = try #require(try await t.claim().first)
            try await t.store.fail(job.lease, error: "e\(attempt)", retryable: true)
            t.clock.advance(by: .seconds(600))
        }
        #expect(try await t.store.deadLetter(id: id).errorHistory.map(\.error) == ["e4", "e5", "e6"])
    }

    @Test("redrive puts dead letters back with attempts reset; purge deletes them", arguments: TestBackend.conformance)
    func redriveAndPurge(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        var ids: [Int64] = []
        for queue in ["a", "a", "b"] {
            ids.append(try await t.enqueue(queue: queue, maxAttempts: 1).jobID)
        }
        for queue in ["a", "b"] {
            for job in try await t.claim(5, queue: queue) {
                try await t.store.fail(job.lease, error: "x", retryable: false)
            }
        }
        #expect(try await t.store.deadLetters().count == 3)
        #expect(try await t.store.deadLetters(queue: "a").map(\.id) == [ids[0], ids[1]])

        await #expect(throws: QueueError.self) { try await t.store.redriveDeadLetters(.ids([ids[0], 999])) }
        #expect(try await t.store.deadLetters().count == 3, "a bad id changes nothing")

        #expect(try await t.store.redriveDeadLetters(.queue("a")) == 2)
        let again = try await t.claim(5, queue: "a")
        #expect(again.map(\.id) == [ids[0], ids[1]])
        #expect(again.map(\.attempt) == [1, 1])

        t.clock.advance(by: .seconds(3600))
        #expect(try await t.store.purgeDeadLetters(.olderThan(.seconds(7200))) == 0)
        #expect(try await t.store.purgeDeadLetters(.olderThan(.seconds(3600))) == 1)
        #expect(try await t.store.job(id: ids[2]) == nil)
    }

    @Test(
        "dead letters are paged in the order they died, after a position that survives redrives and purges",
        arguments: TestBackend.conformance)
    func pagedDeadLetters(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        var ids: [Int64] = []
        for _ in 0..<7 {
            ids.append(try await t.enqueue(maxAttempts: 1).jobID)
        }
        // They die out of id order, three of them in the same millisecond: the id breaks the tie.
        for (index, id) in [ids[4], ids[6], ids[0], ids[5], ids[1], ids[3], ids[2]].enumerated() {
            #expect(try await t.store.cancel(jobID: id) == .ready)
            if index < 3 || index == 5 { t.clock.advance(by: .seconds(1)) }
        }
        let order = try await t.store.deadLetters().map(\.id)
        #expect(order == [ids[4], ids[6], ids[0], ids[1], ids[3], ids[5], ids[2]])
        var paged: [Int64] = []
        var after: DeadLetterPosition?
        while true {
            let page = try await t.store.deadLetters(after: after, limit: 2)
            if page.isEmpty { break }
            paged += page.map(\.id)
            after = DeadLetterPosition(try #require(page.last))
            if paged.count == 2 {
                // The page before changes under the reader: the next page does not move.
                try await t.store.purgeDeadLetters(.ids([page[0].id]))
                try await t.store.redriveDeadLetters(.ids([page[1].id]))
            }
        }
        #expect(paged == order)
        #expect(try await t.store.deadLetters(queue: "nope", after: after).isEmpty)
    }

    @Test(
        "a rate-limited redrive releases at most N per second of the store's clock", arguments: TestBackend.conformance)
    func pacedRedrive(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        for _ in 0..<7 {
            try await t.enqueue(maxAttempts: 1)
        }
        for job in try await t.claim(7) {
            try await t.store.fail(job.lease, error: "x", retryable: false)
        }
        let started = t.clock.now()
        let redrive = Task { try await t.store.redriveDeadLetters(.all, perSecond: 3) }
        // Batches of 3, 3 and 1: the redrive waits out a second of the store's clock twice.
        for waited in 1...2 {
            await t.clock.advanceToNextAlarm()
            #expect(t.clock.now() - started == .seconds(waited))
        }
        #expect(try await redrive.value == 7)
        #expect(try await t.store.deadLetters().isEmpty)
    }
}
