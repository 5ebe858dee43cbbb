import Foundation
import Queue
import Testing

/// Workers' rows: written with their exchanges, judged live, stale or gone, and pruned after a day.
@Suite("Worker registry", .timeLimit(.minutes(3)))
struct WorkerRegistryTests {
    func registration(_ id: String, at now: Timestamp, stopped: Bool = false) -> WorkerRegistration {
        var tally = WorkerTally()
        tally.count(queue: "q", kind: "k") { $0.completed += 3 }
        tally.ran(for: .milliseconds(40))
        return WorkerRegistration(
            id: id, host: "h", pid: 7, version: "1", queues: ["q", "r"], concurrency: 4, startedAt: now,
            refreshInterval: .seconds(5), inFlight: 2, tally: tally, stopped: stopped)
    }

    @Test(
        "a row written with an exchange reads back whole, and ages from live to stale; a stopped one is gone",
        arguments: TestBackend.conformance)
    func states(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let now = t.clock.now()
        _ = try await t.store.exchange(
            WorkerExchange(workerID: "w1", leaseDuration: .seconds(30), registration: registration("w1", at: now)))
        _ = try await t.store.exchange(
            WorkerExchange(
                workerID: "w2", leaseDuration: .seconds(30), registration: registration("w2", at: now, stopped: true)))
        let workers = try await t.reopen().workers()
        let first = try #require(workers.first { $0.registration.id == "w1" })
        #expect(first.registration == registration("w1", at: now), "everything written is read back")
        #expect(first.state(at: now) == .live)
        #expect(first.state(at: now + .seconds(15)) == .live)
        #expect(first.state(at: now + .seconds(16)) == .stale, "three refresh intervals without a word")
        #expect(workers.first { $0.registration.id == "w2" }?.state(at: now) == .gone)
    }

    @Test("rows of workers not heard from for a day are pruned by later exchanges", arguments: TestBackend.conformance)
    func pruning(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        _ = try await t.store.exchange(
            WorkerExchange(
                workerID: "old", leaseDuration: .seconds(30), registration: registration("old", at: t.clock.now())))
        t.clock.advance(by: .seconds(86_401))
        _ = try await t.store.exchange(
            WorkerExchange(
                workerID: "new", leaseDuration: .seconds(30), registration: registration("new", at: t.clock.now())))
        #expect(try await t.store.workers().map(\.registration.id) == ["new"])
    }
}
