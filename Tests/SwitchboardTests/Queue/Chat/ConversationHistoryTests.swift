import ChatStore
import Foundation
import Queue
import Testing

/// Each conversation keeps its newest messages, pruned a few at a time as new ones come.
@Suite("Conversation history", .timeLimit(.minutes(3)))
struct ConversationHistoryTests {
    private func say(_ text: String, in conversation: String, to store: JobStore, kept: Int = 200) async throws {
        try await store.enqueue(
            NewJob(queue: "q", kind: "k")
                .attaching(ConversationMessage(conversation: conversation, role: .user, text: text, kept: kept))
        )
    }

    @Test(
        "a conversation keeps its newest messages, and another conversation is untouched",
        arguments: TestBackend.conformance)
    func historyKeepsTheNewest(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        for index in 0..<10 {
            try await say("message \(index)", in: "chat-a", to: test.store, kept: 3)
        }
        try await say("hello", in: "chat-b", to: test.store, kept: 3)
        #expect(
            try await test.chat.history(conversation: "chat-a", limit: 100).map(\.text)
                == ["message 7", "message 8", "message 9"])
        #expect(try await test.chat.history(conversation: "chat-b", limit: 100).count == 1)
    }

    @Test("a long history is pruned a bounded number of messages per message added", arguments: TestBackend.conformance)
    func pruningIsBounded(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        for index in 0..<100 {
            try await say("message \(index)", in: "chat-a", to: test.store)
        }
        try await say("one more", in: "chat-a", to: test.store, kept: 3)
        #expect(try await test.chat.history(conversation: "chat-a", limit: 1_000).count == 101 - 16)
        for _ in 0..<10 {
            try await say("and more", in: "chat-a", to: test.store, kept: 3)
        }
        #expect(try await test.chat.history(conversation: "chat-a", limit: 1_000).count == 3)
    }
}
