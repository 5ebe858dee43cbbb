import ChatStore
import Foundation
import Queue
import Testing

/// One holder per stream across the fleet, and the fence that refuses a former holder's writes, on
/// either backend. Time is the test store's manual clock.
@Suite("Stream holds", .timeLimit(.minutes(3)))
struct StreamHoldTests {
    private let stream = "discord:1234"

    private func turn(_ key: String) -> NewJob {
        NewJob(queue: "q", kind: "k", dedupe: DedupeKey(key, timeToLive: .seconds(60)))
    }

    @Test(
        "a free stream is taken with token 1; another holder is refused while the hold stands",
        arguments: TestBackend.conformance)
    func takeFreeHold(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        #expect(try await chat.streamHold(stream) == nil)
        let held = try await chat.holdStream(stream, holder: "a", for: .seconds(30))
        let expected = StreamHold(stream: stream, holder: "a", token: 1, expiresAt: test.clock.now() + .seconds(30))
        #expect(held == expected)
        #expect(try await chat.streamHold(stream) == expected)

        test.clock.advance(by: .seconds(29))
        #expect(try await chat.holdStream(stream, holder: "b", for: .seconds(30)) == nil)
        #expect(try await chat.streamHold(stream) == expected, "a refused take changes nothing")
        #expect(try await chat.holdStream("discord:5678", holder: "b", for: .seconds(30))?.token == 1)
    }

    @Test("a renewal keeps the token and pushes the expiry", arguments: TestBackend.conformance)
    func renewalKeepsToken(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let first = try #require(try await chat.holdStream(stream, holder: "a", for: .seconds(30)))
        test.clock.advance(by: .seconds(20))
        let renewed = try #require(try await chat.holdStream(stream, holder: "a", for: .seconds(30)))
        #expect(renewed.token == first.token)
        #expect(renewed.expiresAt == first.expiresAt + .seconds(20))
        #expect(try await chat.streamHold(stream) == renewed)
    }

    @Test("a lapsed hold is taken by another holder with the next token", arguments: TestBackend.conformance)
    func lapsedHoldPasses(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let first = try #require(try await chat.holdStream(stream, holder: "a", for: .milliseconds(200)))
        test.clock.advance(by: .milliseconds(199))
        #expect(try await chat.holdStream(stream, holder: "b", for: .seconds(30)) == nil)
        test.clock.advance(by: .milliseconds(1))
        #expect(try await chat.streamHold(stream) == first, "a lapsed hold still reads until it is taken")
        let second = try #require(try await chat.holdStream(stream, holder: "b", for: .seconds(30)))
        #expect(second.token == first.token + 1)
        #expect(second.holder == "b")
        #expect(try await chat.holdStream(stream, holder: "a", for: .seconds(30)) == nil)
    }

    @Test("a holder taking its own lapsed hold again gets the next token", arguments: TestBackend.conformance)
    func lapsedHoldTakenAgain(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let first = try #require(try await chat.holdStream(stream, holder: "a", for: .milliseconds(200)))
        test.clock.advance(by: .milliseconds(200))
        #expect(try await chat.holdStream(stream, holder: "a", for: .milliseconds(200))?.token == first.token + 1)
    }

    @Test(
        "a release lets another holder take the hold at once, with the next token", arguments: TestBackend.conformance)
    func releaseFreesHold(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let first = try #require(try await chat.holdStream(stream, holder: "a", for: .seconds(30)))
        try await chat.releaseStream(stream, holder: "b")
        #expect(try await chat.streamHold(stream) == first, "only the holder releases its hold")
        try await chat.releaseStream(stream, holder: "a")
        #expect(try await chat.streamHold(stream) == nil)
        let second = try #require(try await chat.holdStream(stream, holder: "b", for: .seconds(30)))
        #expect(second.token == first.token + 1)
        try await chat.releaseStream(stream, holder: "a")
        #expect(try await chat.streamHold(stream) == second, "a former holder's release does nothing")
        try await chat.releaseStream("never-held", holder: "a")
        #expect(try await chat.streamHold("never-held") == nil)
    }

    @Test("the fence lets the holder's transaction through with its token", arguments: TestBackend.conformance)
    func fenceAdmitsHolder(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let hold = try #require(try await test.chat.holdStream(stream, holder: "a", for: .seconds(30)))
        let written = try await test.store.enqueue(
            [turn("a"), turn("b")],
            with: [
                StreamHoldFence(stream: stream, holder: "a", token: hold.token),
                PollCursor(source: stream, cursor: "12"),
            ])
        #expect(written.map(\.status) == [.enqueued, .enqueued])
        #expect(try await test.chat.pollCursor(source: stream) == "12")
    }

    @Test(
        "the fence fails the whole transaction for a former holder, a stale token or a stream no one holds",
        arguments: TestBackend.conformance)
    func fenceRefusesStaleHolder(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let first = try #require(try await chat.holdStream(stream, holder: "a", for: .seconds(30)))
        try await chat.releaseStream(stream, holder: "a")
        let second = try #require(try await chat.holdStream(stream, holder: "b", for: .seconds(30)))
        let fences = [
            StreamHoldFence(stream: stream, holder: "a", token: first.token),
            StreamHoldFence(stream: stream, holder: "b", token: first.token),
            StreamHoldFence(stream: stream, holder: "a", token: second.token),
            StreamHoldFence(stream: "discord:5678", holder: "b", token: second.token),
        ]
        for fence in fences {
            // The fence is written after the jobs and the cursor: its failure must take them back.
            let error = await #expect(throws: QueueError.self) {
                try await test.store.enqueue(
                    [turn("a")], with: [PollCursor(source: fence.stream, cursor: "12"), fence])
            }
            #expect(error?.code == .leaseLost)
            #expect(error?.message.contains(fence.stream) == true)
        }
        #expect(try await test.store.stats().totals.values.reduce(0, +) == 0, "no job of a fenced transaction")
        #expect(try await chat.pollCursor(source: stream) == nil)
        #expect(try await chat.pollCursor(source: "discord:5678") == nil)
    }

    @Test("the fence fails the whole transaction once the hold has lapsed", arguments: TestBackend.conformance)
    func fenceRefusesLapsedHold(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let hold = try #require(try await test.chat.holdStream(stream, holder: "a", for: .milliseconds(200)))
        let fence = StreamHoldFence(stream: stream, holder: "a", token: hold.token)
        test.clock.advance(by: .milliseconds(199))
        try await test.store.enqueue([turn("a")], with: [fence])
        test.clock.advance(by: .milliseconds(1))
        let error = await #expect(throws: QueueError.self) {
            try await test.store.enqueue([turn("b")], with: [fence, PollCursor(source: stream, cursor: "13")])
        }
        #expect(error?.code == .leaseLost)
        #expect(error?.message.contains("lapsed") == true)
        #expect(try await test.store.stats().totals.values.reduce(0, +) == 1, "only the job written in time")
        #expect(try await test.chat.pollCursor(source: stream) == nil)
    }

    @Test(
        "holders racing on separate connections for a fresh stream: exactly one gets it",
        arguments: TestBackend.conformance)
    func racingTakes(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let stores = try await withThrowingTaskGroup(of: JobStore.self) { group in
            for _ in 0..<6 { group.addTask { try await test.reopen() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for round in 0..<4 {
            let stream = "discord:\(round)"
            let outcomes = await withTaskGroup(of: Result<StreamHold?, any Error>.self) { group in
                for (index, store) in stores.enumerated() {
                    group.addTask {
                        await outcome {
                            try await ChatStore(store).holdStream(stream, holder: "h\(index)", for: .seconds(30))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let taken = try outcomes.compactMap { try $0.get() }
            #expect(taken.count == 1, "round \(round)")
            #expect(taken.first?.token == 1)
            #expect(try await test.chat.streamHold(stream) == taken.first)
        }
    }

    @Test(
        "on PostgreSQL, a takeover under way when the fence reads the hold is waited for, and the fence then refuses",
        arguments: TestBackend.conformance.filter { $0 != .sqlite })
    func fenceWaitsForTakeover(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        guard case .postgres(let url) = test.location else { return }
        let hold = try #require(try await test.chat.holdStream(stream, holder: "a", for: .seconds(30)))
        // Another process's takeover, its row updated but not yet committed.
        let taker = try BehindTheStore.connect(url)
        try taker.executeScript(
            "BEGIN; UPDATE stream_holds SET holder = 'b', token = token + 1 WHERE stream = '\(stream)'")
        let store = test.store
        let fenced = Task {
            try await store.enqueue(
                [turn("a")],
                with: [
                    StreamHoldFence(stream: stream, holder: "a", token: hold.token),
                    PollCursor(source: stream, cursor: "1"),
                ])
        }
        let observer = try BehindTheStore.connect(url)
        var waiting = false
        for _ in 0..<200 where !waiting {
            try await Task.sleep(for: .milliseconds(50))
            waiting =
                try observer.execute(
                    """
                    SELECT count(*) > 0 FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock'
                    """
                ).first { $0.bool(0) } ?? false
        }
        #expect(waiting, "the fence waits for the takeover's row")
        try taker.execute("COMMIT")
        let error = await #expect(throws: QueueError.self) { try await fenced.value }
        #expect(error?.code == .leaseLost)
        #expect(try await test.store.stats().totals.values.reduce(0, +) == 0)
        #expect(try await test.chat.pollCursor(source: stream) == nil)
    }

    @Test("unusable names, lifetimes and tokens are refused before anything is written")
    func invalidArguments() async throws {
        let test = try await TestStore()
        let chat = try test.chat
        let refusals: [(String, () async throws -> Void)] = [
            ("stream", { _ = try await chat.holdStream("", holder: "a", for: .seconds(1)) }),
            (
                "holder",
                { _ = try await chat.holdStream(stream, holder: String(repeating: "h", count: 257), for: .seconds(1)) }
            ),
            ("holder", { _ = try await chat.holdStream(stream, holder: "a\u{0}b", for: .seconds(1)) }),
            ("lifetime", { _ = try await chat.holdStream(stream, holder: "a", for: .zero) }),
            ("lifetime", { _ = try await chat.holdStream(stream, holder: "a", for: .microseconds(999)) }),
            ("lifetime", { _ = try await chat.holdStream(stream, holder: "a", for: .seconds(86_401)) }),
            ("holder", { try await chat.releaseStream(stream, holder: "") }),
            (
                "fence.token",
                {
                    try await test.store.enqueue(
                        [self.turn("a")], with: [StreamHoldFence(stream: stream, holder: "a", token: 0)])
                }
            ),
            (
                "fence.stream",
                {
                    try await test.store.enqueue(
                        [self.turn("a")], with: [StreamHoldFence(stream: "", holder: "a", token: 1)])
                }
            ),
        ]
        for (field, call) in refusals {
            let error = await #expect(throws: QueueError.self) { try await call() }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
        }
        #expect(try await chat.streamHold(stream) == nil)
        #expect(try await test.store.stats().totals.values.reduce(0, +) == 0)
    }
}
