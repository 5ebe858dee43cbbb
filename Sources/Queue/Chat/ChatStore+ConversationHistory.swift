import Foundation
import Queue

/// Each conversation's messages, kept with the jobs that carried them (`ConversationMessage`).
extension ChatStore {
    /// The last `limit` messages of a conversation, oldest first.
    public func history(conversation: String, limit: Int = 20) async throws -> [HistoryMessage] {
        try await storage.history(conversation: conversation, limit: limit)
    }

    /// How many history messages belong to a job: 1 for a recorded turn, 0 when the job wrote none.
    public func historyCount(job jobID: Int64) async throws -> Int {
        try await storage.historyCount(job: jobID)
    }
}
