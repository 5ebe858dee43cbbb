import Foundation
import Queue
import Testing

@Suite("Ordering groups")
struct GroupTests {
    @Test("jobs of one group run one at a time, in enqueue order", arguments: TestBackend.conformance)
    func oneAtATimeInOrder(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        var ids: [Int64] = []
        for priority in [0, 9, 5] {
            ids.append(try await t.enqueue(group: "chat-1", priority: priority).jobID)
        }
        var order: [Int64] = []
        while let job = try await t.claim(10).first {
            #expect(try await t.claim(10).isEmpty, "the rest of the group waits while its head is leased")
            order.append(job.id)
            try await t.store.complete(job.lease)
        }
        #expect(order == ids, "enqueue order holds within a group, whatever the priorities")
    }

    @Test("other groups and ungrouped jobs are not held back by a busy group", arguments: TestBackend.conformance)
    func otherGroupsProceed(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let a1 = try await t.enqueue(group: "a").jobID
        _ = try await t.enqueue(group: "a")
        let b1 = try await t.enqueue(group: "b").jobID
        let loose = try await t.enqueue().jobID
        #expect(try await t.claim(10).map(\.id) == [a1, b1, loose])
    }

    @Test("a retrying head keeps its place: the group waits for it", arguments: TestBackend.conformance)
    func retryingHeadHoldsGroup(backend: TestBackend) async throws {
        let t = try await TestStore(backend) {
            $0.retryPolicies = RetryPolicies(fallback: .exponentialJitter(jitter: 0))
        }
        let first = try await t.enqueue(group: "g", maxAttempts: 3).jobID
        let second = try await t.enqueue(group: "g").jobID
        let job = try await t.claim()[0]
        try await t.store.fail(job.lease, error: "x", retryable: true)
        #expect(try await t.claim().isEmpty)
        t.clock.advance(by: .seconds(1))
        #expect(try await t.claim().map(\.id) == [first])
        _ = second
    }

    @Test("a dead-lettered head does not block its group: the next job proceeds", arguments: TestBackend.conformance)
    func deadHeadDoesNotBlock(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let first = try await t.enqueue(group: "g", maxAttempts: 1).jobID
        let second = try await t.enqueue(group: "g").jobID
        let third = try await t.enqueue(group: "g").jobID
        let job = try await t.claim()[0]
        #expect(job.id == first)
        try await t.store.fail(job.lease, error: "poison", retryable: false)
        let next = try await t.claim()
        #expect(next.map(\.id) == [second])
        try await t.store.complete(next[0].lease)
        #expect(try await t.claim().map(\.id) == [third])
    }

    @Test(
        "a head lost with its worker is recovered, and the group goes on after it", arguments: TestBackend.conformance)
    func lostHeadRecovered(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let first = try await t.enqueue(group: "g").jobID
        let second = try await t.enqueue(group: "g").jobID
        _ = try await t.claim(lease: .seconds(5), worker: "crashed")
        t.clock.advance(by: .seconds(5))
        let retried = try await t.claim(10)
        #expect(retried.map(\.id) == [first])
        try await t.store.complete(retried[0].lease)
        #expect(try await t.claim(10).map(\.id) == [second])
    }

    @Test("a redriven job waits behind its group's live jobs", arguments: TestBackend.conformance)
    func redriveRejoinsGroup(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let first = try await t.enqueue(group: "g", maxAttempts: 1).jobID
        let second = try await t.enqueue(group: "g").jobID
        try await t.store.fail(try await t.claim()[0].lease, error: "x", retryable: false)
        let head = try await t.claim()[0]
        #expect(head.id == second)
        try await t.store.redriveDeadLetters(.ids([first]))
        #expect(try await t.store.job(id: first)?.state == .blocked)
        #expect(try await t.claim().isEmpty)
        try await t.store.complete(head.lease)
        #expect(try await t.claim().map(\.id) == [first])
    }
}

@Suite("Dedupe keys")
struct DedupeTests {
    private let key = DedupeKey("slack:T1:C1:Ev1", timeToLive: .seconds(3600))

    @Test(
        "a live key makes the enqueue a duplicate that writes nothing; another key is still enqueued",
        arguments: TestBackend.conformance)
    func duplicateAndControl(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let first = try await t.enqueue(dedupe: key)
        let again = try await t.enqueue(dedupe: key)
        #expect(again == EnqueueResult(jobID: first.jobID, status: .duplicate))
        let other = try await t.enqueue(dedupe: DedupeKey("slack:T1:C1:Ev2", timeToLive: .seconds(3600)))
        #expect(other.status == .enqueued)
        #expect(try await t.store.jobs().count == 2)
        #expect(try await t.store.stats().dedupeKeysHeld == 2)
    }

    @Test("duplicates inside one batch collapse onto the first", arguments: TestBackend.conformance)
    func duplicateInBatch(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let job = NewJob(queue: "q", kind: "k", dedupe: key)
        let results = try await t.store.enqueue([job, job, job])
        #expect(results.map(\.status) == [.enqueued, .duplicate, .duplicate])
        #expect(Set(results.map(\.jobID)).count == 1)
    }

    @Test("a key still holds after its job completed, and lapses at its expiry", arguments: TestBackend.conformance)
    func expiry(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let first = try await t.enqueue(dedupe: key)
        try await t.store.complete(try await t.claim()[0].lease)
        t.clock.advance(by: .seconds(3599))
        #expect(try await t.enqueue(dedupe: key).status == .duplicate)
        t.clock.advance(by: .seconds(1))
        let after = try await t.enqueue(dedupe: key)
        #expect(after.status == .enqueued)
        #expect(after.jobID != first.jobID)
    }

    @Test("dead-lettering a job releases its key, so a redelivery is accepted", arguments: TestBackend.conformance)
    func releasedOnDeadLetter(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let first = try await t.enqueue(dedupe: key, maxAttempts: 1)
        try await t.store.fail(try await t.claim()[0].lease, error: "x", retryable: true)
        #expect(try await t.store.stats().dedupeKeysHeld == 0)
        let redelivery = try await t.enqueue(dedupe: key)
        #expect(redelivery.status == .enqueued)
        #expect(redelivery.jobID != first.jobID)
    }

    @Test("an explicit release lets the key be used again", arguments: TestBackend.conformance)
    func explicitRelease(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        try await t.enqueue(dedupe: key)
        #expect(try await t.store.releaseDedupeKey(key.key))
        #expect(try await t.store.releaseDedupeKey(key.key) == false)
        #expect(try await t.enqueue(dedupe: key).status == .enqueued)
    }

    @Test("expired keys are pruned a bounded number at a time", arguments: TestBackend.conformance)
    func boundedPruning(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        for index in 0..<50 {
            try await t.enqueue(dedupe: DedupeKey("k\(index)", timeToLive: .seconds(1)))
        }
        t.clock.advance(by: .seconds(2))
        #expect(try await t.store.pruneExpiredDedupeKeys(limit: 20) == 20)
        try await t.enqueue(dedupe: DedupeKey("fresh", timeToLive: .seconds(60)))
        #expect(try await t.store.pruneExpiredDedupeKeys(limit: 100) == 50 - 20 - 18, "the enqueue pruned 2*1+16")
        #expect(try await t.store.stats().dedupeKeysHeld == 1)
    }
}
