import ChatStore
import Foundation
import Queue
import Testing

/// A poller's cursor is written in the transaction of the jobs it covers, on either backend.
@Suite("Poll cursors", .timeLimit(.minutes(3)))
struct PollCursorTests {
    private func turn(_ key: String) -> NewJob {
        NewJob(queue: "q", kind: "k", dedupe: DedupeKey(key, timeToLive: .seconds(60)))
    }

    @Test(
        "a cursor moves with its page, also when every update was a duplicate or none was a job",
        arguments: TestBackend.conformance)
    func cursorMovesWithItsPage(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let chat = try test.chat
        #expect(try await chat.pollCursor(source: "telegram:1") == nil)
        try await test.store.enqueue([turn("a"), turn("b")], with: [PollCursor(source: "telegram:1", cursor: "12")])
        #expect(try await chat.pollCursor(source: "telegram:1") == "12")
        let again = try await test.store.enqueue([turn("a")], with: [PollCursor(source: "telegram:1", cursor: "13")])
        #expect(again.map(\.status) == [.duplicate])
        #expect(try await chat.pollCursor(source: "telegram:1") == "13")
        try await test.store.enqueue([], with: [PollCursor(source: "telegram:1", cursor: "14")])
        #expect(try await chat.pollCursor(source: "telegram:1") == "14")
        #expect(try await chat.pollCursor(source: "wechat:ab") == nil, "each source has its own cursor")
        #expect(try await test.store.stats().totals.values.reduce(0, +) == 2)
    }

    @Test("an invalid cursor is refused before anything is written", arguments: TestBackend.conformance)
    func invalidCursorWritesNothing(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let error = await #expect(throws: QueueError.self) {
            try await test.store.enqueue([turn("a")], with: [PollCursor(source: "", cursor: "1")])
        }
        #expect(error?.message.contains("cursor.source") == true)
        #expect(try await test.store.stats().totals.values.reduce(0, +) == 0)
    }

    @Test(
        "a database at version 2 is migrated to the latest on open, its jobs kept", arguments: TestBackend.conformance)
    func migratesFromVersionTwo(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        try await test.enqueue()
        switch test.location {
        case .sqlite(let path):
            try RawSQLite.run(
                "ALTER TABLE link_tokens DROP COLUMN server_name; DROP TABLE api_tokens; DROP TABLE socket_sends; DROP TABLE stream_holds; DROP TABLE poll_cursors; DROP TABLE paused_queues; "
                    + "DROP TABLE workers; DROP TABLE schedules; ALTER TABLE jobs DROP COLUMN checkpoint; "
                    + "PRAGMA user_version=2; "
                    + "PRAGMA wal_checkpoint(TRUNCATE);",
                at: path)
        case .postgres:
            try BehindTheStore.run(
                "ALTER TABLE link_tokens DROP COLUMN server_name; DROP TABLE api_tokens; DROP TABLE socket_sends; DROP TABLE stream_holds; DROP TABLE poll_cursors; DROP TABLE paused_queues; "
                    + "DROP TABLE workers; DROP TABLE schedules; ALTER TABLE jobs DROP COLUMN checkpoint; "
                    + "UPDATE schema_version SET version = 2",
                on: test.location)
        }
        let reopened = try await test.reopen()
        #expect(try await reopened.schemaVersion() == 13)
        #expect(try await reopened.pause(queue: "q"), "the version 4 table is there too")
        #expect(try await reopened.stats().totals[.ready] == 1)
        try await reopened.enqueue([], with: [PollCursor(source: "s", cursor: "c")])
        #expect(try await ChatStore(reopened).pollCursor(source: "s") == "c")
        #expect(try await ChatStore(reopened).holdStream("s", holder: "h", for: .seconds(1)) != nil)
        let frame = try await ChatStore(reopened).queueSocketSend("{}", stream: "s")
        #expect(try await ChatStore(reopened).pendingSocketSends(stream: "s", limit: 1).map(\.id) == [frame])
        let created = try await ChatStore(reopened).createAPIToken(name: "n", scopes: [.jobs])
        #expect(try await ChatStore(reopened).apiToken(secret: created.secret)?.name == "n")
    }
}
