import Queue

extension SQLiteChatStorage {
    func pollCursor(source: String) async throws -> String? {
        try await read { connection, _ in
            try connection.queryFirst("SELECT cursor FROM poll_cursors WHERE source = ?1", [.text(source)]) {
                $0.text(0)
            }
        }
    }

    /// Stores a poller's cursor in the transaction that records the updates it covers.
    static func save(_ cursor: PollCursor, in transaction: JobsTransaction) throws {
        try transaction.connection.execute(
            """
            INSERT INTO poll_cursors (source, cursor, updated_at) VALUES (?1, ?2, ?3)
            ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
            """,
            [.text(cursor.source), .text(cursor.cursor), .integer(transaction.now.millisecondsSince1970)]
        )
    }
}
