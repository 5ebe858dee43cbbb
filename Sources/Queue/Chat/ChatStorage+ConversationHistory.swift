import Foundation
import Queue

extension ChatStorage {
    func history(conversation: String, limit: Int) async throws -> [HistoryMessage] {
        try await read { sql, _ in
            try sql.query(
                """
                SELECT id, role, text, job_id, created_at FROM (
                    SELECT * FROM \(sql.dialect.table("conversation_messages")) WHERE conversation = $1
                    ORDER BY id DESC LIMIT $2) AS newest
                ORDER BY id
                """,
                [sql.dialect.unrestrictedText(conversation), .integer(limit)],
                row: { try HistoryMessage($0) }
            )
        }
    }

    func historyCount(job jobID: Int64) async throws -> Int {
        try await read { sql, _ in
            Int(
                try sql.integer(
                    "SELECT count(*) FROM \(sql.dialect.table("conversation_messages")) WHERE job_id = $1",
                    [.integer(jobID)]) ?? 0)
        }
    }

    /// Appends a message in the transaction that writes its job, and deletes a bounded number of the
    /// conversation's messages older than its newest `kept`; on PostgreSQL both go to the server with the
    /// transaction's next statement.
    static func append(_ message: ConversationMessage, jobID: Int64, in transaction: any JobWriteTransaction) throws {
        let sql = transaction.sql
        let statements = sql.dialect == .sqlite ? sqliteAppending : postgresAppending
        let conversation = sql.dialect.unrestrictedText(message.conversation)
        try sql.executeDeferred(
            statements.insert,
            [
                conversation, .text(message.role.rawValue), sql.dialect.unrestrictedText(message.text),
                .integer(jobID), .integer(transaction.now.millisecondsSince1970),
            ]
        )
        try sql.executeDeferred(
            statements.prune, [conversation, .integer(message.kept), .integer(ConversationMessage.pruneBatch)])
    }

    /// `append`'s statements, made once per dialect: every event of intake runs them.
    private static let sqliteAppending = appending(.sqlite)
    private static let postgresAppending = appending(.postgres)

    private static func appending(_ dialect: SQLDialect) -> (insert: String, prune: String) {
        let messages = dialect.table("conversation_messages")
        return (
            "INSERT INTO \(messages) (conversation, role, text, job_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            """
            DELETE FROM \(messages) WHERE id IN (
                SELECT id FROM \(messages) WHERE conversation = $1 ORDER BY id DESC LIMIT $3 OFFSET $2)
            """
        )
    }
}
