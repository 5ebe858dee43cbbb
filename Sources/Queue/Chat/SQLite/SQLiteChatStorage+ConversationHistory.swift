import Foundation
import Queue

extension SQLiteChatStorage {
    func history(conversation: String, limit: Int) async throws -> [HistoryMessage] {
        try await read { connection, _ in
            try connection.query(
                """
                SELECT id, role, text, job_id, created_at FROM (
                    SELECT * FROM conversation_messages WHERE conversation = ?1 ORDER BY id DESC LIMIT ?2)
                ORDER BY id
                """,
                [.text(conversation), .integer(limit)],
                row: HistoryMessage.init
            )
        }
    }

    func historyCount(job jobID: Int64) async throws -> Int {
        try await read { connection, _ in
            Int(
                try connection.integer(
                    "SELECT count(*) FROM conversation_messages WHERE job_id = ?1", [.integer(jobID)]) ?? 0)
        }
    }

    /// Appends a message in the transaction that writes its job, and deletes a bounded number of the
    /// conversation's messages older than its newest `kept`.
    static func append(_ message: ConversationMessage, jobID: Int64, in transaction: JobsTransaction) throws {
        try transaction.connection.execute(
            "INSERT INTO conversation_messages (conversation, role, text, job_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            [
                .text(message.conversation), .text(message.role.rawValue), .text(message.text), .integer(jobID),
                .integer(transaction.now.millisecondsSince1970),
            ]
        )
        try transaction.connection.execute(
            """
            DELETE FROM conversation_messages WHERE id IN (
                SELECT id FROM conversation_messages WHERE conversation = ?1 ORDER BY id DESC LIMIT ?3 OFFSET ?2)
            """,
            [.text(message.conversation), .integer(message.kept), .integer(ConversationMessage.pruneBatch)]
        )
    }
}
