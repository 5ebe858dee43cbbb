import Queue

extension ChatStorage {
    func pollCursor(source: String) async throws -> String? {
        try await read { sql, _ in
            try sql.queryFirst(
                "SELECT cursor FROM \(sql.dialect.table("poll_cursors")) WHERE source = $1", [.text(source)],
                row: { $0.text(0) })
        }
    }

    /// Stores a poller's cursor in the transaction that records the updates it covers.
    static func save(_ cursor: PollCursor, in transaction: any JobWriteTransaction) throws {
        let sql = transaction.sql
        try sql.execute(
            """
            INSERT INTO \(sql.dialect.table("poll_cursors")) (source, cursor, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
            """,
            [.text(cursor.source), .text(cursor.cursor), .integer(transaction.now.millisecondsSince1970)]
        )
    }
}
