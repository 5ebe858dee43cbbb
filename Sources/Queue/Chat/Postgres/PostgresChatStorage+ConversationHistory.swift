import Foundation
import Queue

extension PostgresChatStorage {
    func history(conversation: String, limit: Int) async throws -> [HistoryMessage] {
        try await query { connection, _ in
            try connection.execute(
                """
                SELECT id, role, text, job_id, created_at FROM (
                    SELECT * FROM switchboard.conversation_messages WHERE conversation = $1 ORDER BY id DESC LIMIT $2) AS newest
                ORDER BY id
                """,
                [.bytea(Data(conversation.utf8)), .integer(limit)]
            ).rows(HistoryMessage.init)
        }
    }

    func historyCount(job jobID: Int64) async throws -> Int {
        try await query { connection, _ in
            Int(
                try connection.execute(
                    "SELECT count(*) FROM switchboard.conversation_messages WHERE job_id = $1", [.int8(jobID)]
                ).first { $0.int64(0) } ?? 0)
        }
    }

    /// Appends a message in the transaction that writes its job, and deletes a bounded number of the
    /// conversation's messages older than its newest `kept`; both go to the server with the transaction's
    /// next statement.
    static func append(_ message: ConversationMessage, jobID: Int64, in transaction: PostgresJobsTransaction) {
        let conversation = PGValue.bytea(Data(message.conversation.utf8))
        transaction.connection.executeLater(
            "INSERT INTO switchboard.conversation_messages (conversation, role, text, job_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            [
                conversation, .text(message.role.rawValue), .bytea(Data(message.text.utf8)), .int8(jobID),
                .int8(transaction.now.millisecondsSince1970),
            ]
        )
        transaction.connection.executeLater(
            """
            DELETE FROM switchboard.conversation_messages WHERE id IN (
                SELECT id FROM switchboard.conversation_messages WHERE conversation = $1 ORDER BY id DESC LIMIT $3 OFFSET $2)
            """,
            [conversation, .integer(message.kept), .integer(ConversationMessage.pruneBatch)]
        )
    }
}
