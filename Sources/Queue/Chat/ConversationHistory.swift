extension JobStore {
    /// The last `limit` messages of a conversation, oldest first.
    public func history(conversation: String, limit: Int = 20) async throws -> [HistoryMessage] {
        try await database.read { connection in
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

    /// How many history messages belong to a job: 1 for a recorded turn, 0 when the job wrote none.
    public func historyCount(job jobID: Int64) async throws -> Int {
        try await database.read { connection in
            Int(try connection.integer("SELECT count(*) FROM conversation_messages WHERE job_id = ?1", [.integer(jobID)]) ?? 0)
        }
    }
}
extension JobsTransaction {
    /// The most messages one append prunes: a history that grew long under a larger setting shrinks a
    /// few messages per message added, never in one long transaction.
    static let historyPruneBatch = 16

    /// Appends a message to a conversation's history, and deletes (a bounded number of) its messages
    /// older than the newest `rules.conversationHistoryKept`.
    func append(_ entry: HistoryEntry, job jobID: Int64?) throws {
        try connection.execute(
            "INSERT INTO conversation_messages (conversation, role, text, job_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            [
                .text(entry.conversation), .text(entry.role.rawValue), .text(entry.text), .optionalInteger(jobID),
                .integer(now.millisecondsSince1970),
            ]
        )
        try connection.execute(
            """
            DELETE FROM conversation_messages WHERE id IN (
                SELECT id FROM conversation_messages WHERE conversation = ?1 ORDER BY id DESC LIMIT ?3 OFFSET ?2)
            """,
            [.text(entry.conversation), .integer(rules.conversationHistoryKept), .integer(Self.historyPruneBatch)]
        )
    }
}
