import ChatStore
import Foundation
import Queue
import Testing

/// Frames queued for a bot's socket by workers and sent by the stream's holder, on either backend. Time is
/// the test store's manual clock; what the store keeps is counted behind its back.
@Suite("Socket sends", .timeLimit(.minutes(3)))
struct SocketSendTests {
    private let stream = "wecom:bot1"

    /// How many frames the database holds, finished or not.
    private func storedFrames(_ test: TestStore, where condition: String = "true") throws -> Int64? {
        try BehindTheStore.integer("SELECT count(*) FROM socket_sends WHERE \(condition)", on: test.location)
    }

    @Test(
        "frames come back in the order they were queued, and only for their stream", arguments: TestBackend.conformance)
    func queueOrderPerStream(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 10).isEmpty)
        let frames = [#"{"cmd":"aibot_respond_msg","body":"第一"}"#, #"{"n":2}"#, #"{"n":3}"#]
        let first = try await chat.queueSocketSend(frames[0], stream: stream)
        let other = try await chat.queueSocketSend(#"{"other":true}"#, stream: "wecom:bot2")
        let second = try await chat.queueSocketSend(frames[1], stream: stream)
        let third = try await chat.queueSocketSend(frames[2], stream: stream)
        #expect(first < other && other < second && second < third, "ids rise in the order frames were queued")

        #expect(
            try await chat.pendingSocketSends(stream: stream, limit: 10)
                == zip([first, second, third], frames).map { SocketSend(id: $0, stream: stream, frame: $1) })
        #expect(
            try await chat.pendingSocketSends(stream: "wecom:bot2", limit: 10)
                == [SocketSend(id: other, stream: "wecom:bot2", frame: #"{"other":true}"#)])
        #expect(try await chat.pendingSocketSends(stream: "wecom:bot3", limit: 10).isEmpty)
    }

    @Test("a read returns the oldest pending frames, at most its limit", arguments: TestBackend.conformance)
    func limitHonoured(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        var ids: [Int64] = []
        for index in 0..<5 {
            ids.append(try await chat.queueSocketSend(#"{"n":\#(index)}"#, stream: stream))
        }
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 1).map(\.id) == [ids[0]])
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 2).map(\.id) == Array(ids.prefix(2)))
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 5).map(\.id) == ids)
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 1000).map(\.id) == ids)
        try await chat.finishSocketSends([ids[0], ids[2]])
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 2).map(\.id) == [ids[1], ids[3]])
    }

    @Test(
        "finished frames are not returned again; finishing unknown or already finished ids changes nothing",
        arguments: TestBackend.conformance)
    func finishedNotReturned(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let a = try await chat.queueSocketSend(#"{"n":1}"#, stream: stream)
        let b = try await chat.queueSocketSend(#"{"n":2}"#, stream: stream)
        let c = try await chat.queueSocketSend(#"{"n":3}"#, stream: stream)
        try await chat.finishSocketSends([a, b])
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 10).map(\.id) == [c])
        let finishedAt = try BehindTheStore.integer("SELECT sum(finished_at) FROM socket_sends", on: test.location)

        test.clock.advance(by: .seconds(10))
        try await chat.finishSocketSends([c + 1_000, -1, 0])
        try await chat.finishSocketSends([a])
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 10).map(\.id) == [c])
        #expect(try storedFrames(test) == 3)
        #expect(
            try BehindTheStore.integer("SELECT sum(finished_at) FROM socket_sends", on: test.location) == finishedAt,
            "a frame finished again keeps its first finishing time")
        try await chat.finishSocketSends([])
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 10).map(\.id) == [c])
        try await chat.finishSocketSends([c, c])
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 10).isEmpty)
    }

    @Test(
        "a finish deletes frames finished over an hour ago, never newer or unfinished ones",
        arguments: TestBackend.conformance)
    func pruneKeepsTheLastHour(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let old = try await chat.queueSocketSend(#"{"n":1}"#, stream: stream)
        let newer = try await chat.queueSocketSend(#"{"n":2}"#, stream: stream)
        let pending = try await chat.queueSocketSend(#"{"n":3}"#, stream: "wecom:bot2")
        try await chat.finishSocketSends([old])
        test.clock.advance(by: .seconds(30 * 60))
        try await chat.finishSocketSends([newer])
        test.clock.advance(by: .seconds(30 * 60))

        try await chat.finishSocketSends([0])
        #expect(try storedFrames(test) == 3, "finished exactly an hour ago: kept")
        test.clock.advance(by: .milliseconds(1))
        try await chat.finishSocketSends([])
        #expect(try storedFrames(test) == 3, "finishing no frame prunes nothing")
        try await chat.finishSocketSends([0])
        #expect(try storedFrames(test) == 2)
        #expect(try storedFrames(test, where: "id = \(old)") == 0)

        test.clock.advance(by: .seconds(5 * 60 * 60))
        try await chat.finishSocketSends([0])
        #expect(try storedFrames(test) == 1)
        #expect(
            try await chat.pendingSocketSends(stream: "wecom:bot2", limit: 10).map(\.id) == [pending],
            "an unfinished frame is kept however old")
    }

    @Test("one finish deletes at most 500 old frames; the next deletes more", arguments: TestBackend.conformance)
    func pruneIsBounded(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let longAgo = (test.clock.now() - .seconds(2 * 60 * 60)).millisecondsSince1970
        try BehindTheStore.run(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
            INSERT INTO socket_sends (stream, frame, queued_at, finished_at)
            SELECT '\(stream)', '{}', \(longAgo), \(longAgo) FROM n
            """,
            on: test.location)
        let kept = try await chat.queueSocketSend(#"{"n":1}"#, stream: stream)
        try await chat.finishSocketSends([kept])
        #expect(try storedFrames(test) == 101)
        try await chat.finishSocketSends([kept])
        #expect(try storedFrames(test) == 1)
        #expect(try storedFrames(test, where: "id = \(kept)") == 1)
    }

    @Test("ids are never handed out again, even after the prune emptied the table", arguments: TestBackend.conformance)
    func idsNeverReused(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let first = try await chat.queueSocketSend(#"{"n":1}"#, stream: stream)
        let last = try await chat.queueSocketSend(#"{"n":2}"#, stream: stream)
        try await chat.finishSocketSends([first, last])
        test.clock.advance(by: .seconds(60 * 60) + .milliseconds(1))
        try await chat.finishSocketSends([last])
        #expect(try storedFrames(test) == 0)
        let next = try await chat.queueSocketSend(#"{"n":3}"#, stream: stream)
        #expect(next > last)
        #expect(try await chat.pendingSocketSends(stream: stream, limit: 10).map(\.id) == [next])
    }

    @Test(
        "stores on separate connections queueing at once lose no frame, each with its own id",
        arguments: TestBackend.conformance)
    func concurrentQueueing(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let stores = [test.store, try await test.reopen()]
        let perTask = 15
        let queued = try await withThrowingTaskGroup(of: [(id: Int64, frame: String)].self) { group in
            for (storeIndex, store) in stores.enumerated() {
                for task in 0..<3 {
                    group.addTask {
                        let chat = try ChatStore(store)
                        var queued: [(id: Int64, frame: String)] = []
                        for index in 0..<perTask {
                            let frame = #"{"store":\#(storeIndex),"task":\#(task),"n":\#(index)}"#
                            queued.append((try await chat.queueSocketSend(frame, stream: stream), frame))
                        }
                        return queued
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let all = queued.flatMap { $0 }
        #expect(all.count == stores.count * 3 * perTask)
        #expect(Set(all.map(\.id)).count == all.count, "distinct ids")
        for sequence in queued {
            #expect(sequence.map(\.id) == sequence.map(\.id).sorted(), "one caller's frames rise in its order")
        }
        let pending = try await test.chat.pendingSocketSends(stream: stream, limit: 1000)
        #expect(pending.map(\.id) == all.map(\.id).sorted())
        #expect(Set(pending.map(\.frame)) == Set(all.map(\.frame)))
        #expect(try storedFrames(test) == Int64(all.count))
    }

    @Test(
        "unusable streams, frames and limits are refused naming the field, before anything is written",
        arguments: TestBackend.conformance)
    func invalidArguments(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        let secret = "SECRET-7f3a"
        let refusals: [(String, () async throws -> Void)] = [
            ("stream", { _ = try await chat.queueSocketSend("{}", stream: "") }),
            ("stream", { _ = try await chat.queueSocketSend("{}", stream: String(repeating: "s", count: 257)) }),
            ("stream", { _ = try await chat.queueSocketSend("{}", stream: "\(secret)\u{0}") }),
            ("frame", { _ = try await chat.queueSocketSend("", stream: stream) }),
            ("frame", { _ = try await chat.queueSocketSend(String(repeating: "f", count: 1_048_577), stream: stream) }),
            ("frame", { _ = try await chat.queueSocketSend("{\"t\":\"\(secret)\u{0}\"}", stream: stream) }),
            ("stream", { _ = try await chat.pendingSocketSends(stream: "", limit: 1) }),
            ("limit", { _ = try await chat.pendingSocketSends(stream: stream, limit: 0) }),
            ("limit", { _ = try await chat.pendingSocketSends(stream: stream, limit: -1) }),
            ("limit", { _ = try await chat.pendingSocketSends(stream: stream, limit: 1001) }),
        ]
        for (field, call) in refusals {
            let error = await #expect(throws: QueueError.self) { try await call() }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(secret) == false)
        }
        #expect(try storedFrames(test) == 0)

        // The largest of each is kept whole: 256 bytes of stream, 1 MiB of frame, counted in UTF-8 bytes.
        let longest = String(repeating: "ü", count: 128)
        let largest = String(repeating: "é", count: 524_288)
        let id = try await chat.queueSocketSend(largest, stream: longest)
        #expect(
            try await chat.pendingSocketSends(stream: longest, limit: 1) == [
                SocketSend(id: id, stream: longest, frame: largest)
            ])
        let overLimit = String(repeating: "é", count: 524_288) + "x"
        let error = await #expect(throws: QueueError.self) {
            try await chat.queueSocketSend(overLimit, stream: stream)
        }
        #expect(error?.message.hasPrefix("frame:") == true)
        #expect(try storedFrames(test) == 1)
    }
}
