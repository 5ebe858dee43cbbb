import Foundation
import Queue
import Testing

/// What the database keeps: completed jobs only while a retention is set, and the newest messages of
/// each conversation.
@Suite("Retention", .timeLimit(.minutes(1)))
struct RetentionTests {
    private func say(_ text: String, in conversation: String, to store: JobStore) async throws {
        try await store.enqueue(
            NewJob(queue: "q", kind: "k", history: HistoryEntry(conversation: conversation, role: .user, text: text))
        )
    }

    @Test("a conversation keeps its newest messages, and another conversation is untouched")
    func historyKeepsTheNewest() async throws {
        let test = try await TestStore { $0.conversationHistoryKept = 3 }
        for index in 0..<10 {
            try await say("message \(index)", in: "chat-a", to: test.store)
        }
        try await say("hello", in: "chat-b", to: test.store)
        #expect(try await test.store.history(conversation: "chat-a", limit: 100).map(\.text)
            == ["message 7", "message 8", "message 9"])
        #expect(try await test.store.history(conversation: "chat-b", limit: 100).count == 1)
    }

    @Test("a long history is pruned a bounded number of messages per message added")
    func pruningIsBounded() async throws {
        let test = try await TestStore()
        for index in 0..<100 {
            try await say("message \(index)", in: "chat-a", to: test.store)
        }
        let strict = try await test.reopen { $0.conversationHistoryKept = 3 }
        try await say("one more", in: "chat-a", to: strict)
        #expect(try await strict.history(conversation: "chat-a", limit: 1_000).count == 101 - 16)
        for _ in 0..<10 {
            try await say("and more", in: "chat-a", to: strict)
        }
        #expect(try await strict.history(conversation: "chat-a", limit: 1_000).count == 3)
    }

    @Test("work --retain-completed (or the configuration's retain_completed) keeps completed jobs to inspect",
          arguments: [["--retain-completed", "1h"], ["--config", "CONFIG"], []])
    func retainCompleted(arguments: [String]) async throws {
        let directory = try TestDirectory()
        let config = directory.path("switchboard.json")
        try Data(#"{"retain_completed": 3600}"#.utf8).write(to: URL(fileURLWithPath: config))
        let store = try await JobStore.open(path: directory.databasePath)
        let id = try await store.enqueue(NewJob(queue: "q", kind: "k")).jobID
        let work = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--exec", "true", "--drain"] + arguments.map { $0 == "CONFIG" ? config : $0 },
            database: directory.databasePath
        )
        #expect(work.status == 0, "\(work.stderr)")
        let show = try await SwitchboardProcess.run(["jobs", "show", String(id)], database: directory.databasePath)
        if arguments.isEmpty {
            #expect(show.status == 65)
            #expect(show.stderr.contains("--retain-completed"), "\(show.stderr)")
        } else {
            #expect(show.status == 0, "\(show.stderr)")
            #expect(show.stdout.contains("state:        completed"), "\(show.stdout)")
        }
    }
}
