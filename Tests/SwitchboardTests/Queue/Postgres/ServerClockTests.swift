import ChatStore
import Foundation
import Queue
import Testing

/// This machine's clock, `offset` off: a machine whose clock is not kept in time.
struct SkewedClock: WallClock {
    let offset: Duration

    func now() -> Timestamp {
        SystemClock().now() + offset
    }

    func alarm(at deadline: Timestamp, _ wake: @escaping @Sendable () -> Void) -> ClockAlarm {
        SystemClock().alarm(at: deadline - offset, wake)
    }
}

/// On PostgreSQL, stores on machines whose clocks disagree share one database: every lease and schedule
/// is judged by the server's clock, so none of them decides by its own.
@Suite(
    "PostgreSQL judges leases and schedules by the server's clock", .timeLimit(.minutes(2)),
    .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"))
struct ServerClockTests {
    /// A store as a process on a machine whose clock is `offset` off would open (the server's clock on).
    private func store(_ location: StoreLocation, off offset: Duration) async throws -> JobStore {
        var options = StoreOptions()
        options.clock = SkewedClock(offset: offset)
        return try await SwitchboardDatabase.open(location, options: options)
    }

    private func claim(_ store: JobStore, _ worker: String, lease: Duration = .seconds(20)) async throws
        -> [ClaimedJob]
    {
        try await store.claim(queues: ["q"], limit: 1, leaseDuration: lease, workerID: worker)
    }

    @Test("a store whose clock runs 30 s ahead cannot take a live lease from one whose clock is right")
    func aheadCannotTakeALiveLease() async throws {
        let location = try await TestPostgres.newDatabase()
        let right = try await store(location, off: .zero)
        let ahead = try await store(location, off: .seconds(30))
        let id = try await right.enqueue(NewJob(queue: "q", kind: "k")).jobID
        let held = try await claim(right, "right")
        #expect(held.map(\.id) == [id])
        #expect(try await claim(ahead, "ahead").isEmpty, "by its clock the lease ran out 10 s ago")
        try await right.heartbeat(held[0].lease, leaseDuration: .seconds(20))
        let job = try #require(try await right.job(id: id))
        #expect(job.state == .leased)
        #expect(job.workerID == "right")
        #expect(job.attempts == 1)
    }

    @Test("a delay given by a store whose clock is 30 s off lasts the delay, no less, no more", arguments: [30, -30])
    func delays(offset: Int) async throws {
        let location = try await TestPostgres.newDatabase()
        let right = try await store(location, off: .zero)
        let skewed = try await store(location, off: .seconds(offset))
        let enqueued = ContinuousClock.now
        try await skewed.enqueue(NewJob(queue: "q", kind: "k", runAt: .after(.seconds(10))))
        #expect(try await claim(right, "right").isEmpty, "not runnable before its delay")
        try await waitUntil("the delayed job is runnable", timeout: .seconds(30)) {
            try await !claim(right, "right").isEmpty
        }
        #expect(ContinuousClock.now - enqueued >= .milliseconds(9_900))
    }

    @Test("a snooze by a store whose clock runs 30 s ahead lasts the snooze")
    func snoozes() async throws {
        let location = try await TestPostgres.newDatabase()
        let right = try await store(location, off: .zero)
        let ahead = try await store(location, off: .seconds(30))
        try await right.enqueue(NewJob(queue: "q", kind: "k"))
        let held = try #require(try await claim(ahead, "ahead").first)
        let snoozed = ContinuousClock.now
        try await ahead.snooze(held.lease, for: .seconds(10))
        #expect(try await claim(right, "right").isEmpty)
        try await waitUntil("the snoozed job is runnable", timeout: .seconds(30)) {
            try await !claim(right, "right").isEmpty
        }
        #expect(ContinuousClock.now - snoozed >= .milliseconds(9_900))
    }

    @Test("rate holds and send slots from a store whose clock is 30 s off end when they should", arguments: [30, -30])
    func rateHolds(offset: Int) async throws {
        let location = try await TestPostgres.newDatabase()
        let right = try await store(location, off: .zero)
        let skewed = try await store(location, off: .seconds(offset))
        // Each must end 10 s after it was written, whenever the read comes (measured by this machine).
        let tolerance = Duration.milliseconds(100)
        let holding = ContinuousClock.now
        try await skewed.hold([RateHold(bucket: "bot", for: .seconds(10))])
        let remaining = try #require(try await right.holdRemaining(buckets: ["bot"]), "the hold is in force")
        #expect(remaining <= .seconds(10) + tolerance)
        #expect(remaining >= .seconds(10) - (ContinuousClock.now - holding) - tolerance)
        let reserving = ContinuousClock.now
        #expect(try await skewed.reserveSendSlot("chat", interval: .seconds(10), respecting: ["chat"]) == nil)
        let slot = try #require(try await right.reserveSendSlot("chat", interval: .seconds(10), respecting: ["chat"]))
        #expect(slot <= .seconds(10) + tolerance)
        #expect(slot >= .seconds(10) - (ContinuousClock.now - reserving) - tolerance)
    }

    @Test("a dedupe key written by a store whose clock runs 30 s ahead expires after its time to live")
    func dedupeKeys() async throws {
        let location = try await TestPostgres.newDatabase()
        let right = try await store(location, off: .zero)
        let ahead = try await store(location, off: .seconds(30))
        let key = DedupeKey("message-1", timeToLive: .seconds(10))
        let written = ContinuousClock.now
        #expect(try await ahead.enqueue(NewJob(queue: "q", kind: "k", dedupe: key)).status == .enqueued)
        #expect(try await right.enqueue(NewJob(queue: "q", kind: "k", dedupe: key)).status == .duplicate)
        try await waitUntil("the key has expired", timeout: .seconds(30)) {
            try await right.enqueue(NewJob(queue: "q", kind: "k", dedupe: key)).status == .enqueued
        }
        #expect(ContinuousClock.now - written >= .milliseconds(9_900))
    }
}
