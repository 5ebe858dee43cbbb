import ChatStore
import Foundation
import Queue
import Testing

@Suite("Leases and fencing")
struct FencingTests {
    /// One job claimed by w1, whose lease then expired and was claimed again by w2.
    private func expiredAndReclaimed(_ backend: TestBackend) async throws -> (
        TestStore, old: ClaimedJob, new: ClaimedJob
    ) {
        let t = try await TestStore(backend)
        try await t.enqueue(maxAttempts: 5)
        let old = try await t.claim(lease: .seconds(10), worker: "w1")[0]
        t.clock.advance(by: .seconds(10))
        let new = try #require(try await t.claim(lease: .seconds(10), worker: "w2").first)
        #expect(new.id == old.id)
        #expect(new.lease.token > old.lease.token)
        #expect(new.attempt == 2)
        return (t, old, new)
    }

    @Test(
        "the old holder of an expired lease can neither heartbeat, complete, fail nor snooze",
        arguments: TestBackend.conformance)
    func oldHolderIsFenced(backend: TestBackend) async throws {
        let (t, old, new) = try await expiredAndReclaimed(backend)
        let attempts: [(String, () async throws -> Void)] = [
            ("heartbeat", { try await t.store.heartbeat(old.lease, leaseDuration: .seconds(10)) }),
            ("complete", { try await t.store.complete(old.lease) }),
            ("fail", { try await t.store.fail(old.lease, error: "x", retryable: false) }),
            ("snooze", { try await t.store.snooze(old.lease, for: .seconds(1)) }),
        ]
        for (name, attempt) in attempts {
            let error = await #expect(throws: QueueError.self, "\(name)") { try await attempt() }
            #expect(error?.code == .leaseLost, "\(name)")
        }
        let record = try #require(try await t.store.job(id: new.id))
        #expect(record.state == .leased)
        #expect(record.leaseToken == new.lease.token)
        #expect(record.workerID == "w2")
        #expect(record.errorHistory.count == 1, "only the expiry is recorded, nothing from the fenced calls")
        #expect(try await t.store.complete(new.lease) == .completed, "the new holder can")
    }

    @Test("an expired lease cannot be settled even before anyone reclaims it", arguments: TestBackend.conformance)
    func expiredButUnclaimed(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        try await t.enqueue()
        let job = try await t.claim(lease: .seconds(10))[0]
        t.clock.advance(by: .seconds(10))
        let error = await #expect(throws: QueueError.self) { try await t.store.complete(job.lease) }
        #expect(error?.code == .leaseLost)
        #expect(try await t.store.job(id: job.id)?.state == .leased)
    }

    @Test("heartbeats keep a lease alive past its first expiry", arguments: TestBackend.conformance)
    func heartbeatExtends(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        try await t.enqueue()
        let job = try await t.claim(lease: .seconds(10))[0]
        for _ in 0..<5 {
            t.clock.advance(by: .seconds(8))
            try await t.store.heartbeat(job.lease, leaseDuration: .seconds(10))
            #expect(try await t.claim(lease: .seconds(10), worker: "w2").isEmpty)
        }
        #expect(try await t.store.complete(job.lease) == .completed)
    }

    @Test(
        "a job whose lease expires on its last attempt is dead-lettered, not run again",
        arguments: TestBackend.conformance)
    func crashOnLastAttempt(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let id = try await t.enqueue(maxAttempts: 2).jobID
        _ = try await t.claim(lease: .seconds(5))
        t.clock.advance(by: .seconds(5))
        _ = try await t.claim(lease: .seconds(5))
        t.clock.advance(by: .seconds(5))
        #expect(try await t.claim().isEmpty)
        let record = try await t.store.deadLetter(id: id)
        #expect(record.deadReason == .leaseExpired)
        #expect(record.errorHistory.map(\.attempt) == [1, 2])
    }
}

@Suite("Checkpoints")
struct CheckpointTests {
    @Test(
        "a checkpoint reaches the next attempt after a failure and after a lost lease, and the dead-letter notice",
        arguments: TestBackend.conformance)
    func handedOn(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let notice = DeadLetterNotice(queue: "notices", kind: "turn.failed")
        try await t.store.enqueue(NewJob(queue: "q", kind: "turn", maxAttempts: 3, onDeadLetter: notice))
        let first = try await t.claim(lease: .seconds(10))[0]
        #expect(first.checkpoint == nil)
        try await t.store.checkpoint(first.lease, Data("sent 1".utf8))
        try await t.store.checkpoint(first.lease, Data("sent 1, 2".utf8))
        try await t.store.fail(first.lease, error: "agent stopped mid-stream", retryable: true)
        t.clock.advance(by: .seconds(3600))
        let second = try #require(try await t.claim(lease: .seconds(10)).first)
        #expect(second.checkpoint == Data("sent 1, 2".utf8), "the latest, after a failed attempt")
        try await t.store.checkpoint(second.lease, Data("sent 1, 2, 3".utf8))
        t.clock.advance(by: .seconds(10))
        let third = try #require(try await t.claim(lease: .seconds(10)).first)
        #expect(third.checkpoint == Data("sent 1, 2, 3".utf8), "after the lease ran out")
        let stale = await #expect(throws: QueueError.self) {
            try await t.store.checkpoint(second.lease, Data("late".utf8))
        }
        #expect(stale?.code == .leaseLost, "a fenced holder saves nothing")
        try await t.store.fail(third.lease, error: "agent stopped again", retryable: false)
        let notified = try #require(try await t.claim(queue: "notices").first)
        #expect(notified.checkpoint == Data("sent 1, 2, 3".utf8))
    }

    @Test("jobs show prints a job's checkpoint, as JSON under --json")
    func shown() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let id = try await store.enqueue(NewJob(queue: "q", kind: "k")).jobID
        let job = try #require(
            try await store.claim(queues: ["q"], limit: 1, leaseDuration: .seconds(30), workerID: "t").first)
        try await store.checkpoint(job.lease, Data(#"{"messages":["42"]}"#.utf8))
        #expect(try await store.job(id: id)?.checkpoint == Data(#"{"messages":["42"]}"#.utf8))
        let show = try await SwitchboardProcess.run(["jobs", "show", String(id)], database: directory.databasePath)
        #expect(show.stdout.contains(#"checkpoint:   {"messages":["42"]}"#), "\(show.stdout)")
        let json = try await SwitchboardProcess.run(
            ["jobs", "show", String(id), "--json"], database: directory.databasePath)
        let fields = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((fields?["checkpoint"] as? [String: Any])?["messages"] as? [String] == ["42"], "\(json.stdout)")
    }
}
