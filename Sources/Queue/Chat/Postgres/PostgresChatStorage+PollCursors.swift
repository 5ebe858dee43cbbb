import Queue

extension PostgresChatStorage {
    func pollCursor(source: String) async throws -> String? {
        try await query { connection, _ in
            try connection.execute("SELECT cursor FROM switchboard.poll_cursors WHERE source = $1", [.text(source)])
                .first { $0.text(0) }
        }
    }

    /// Stores a poller's cursor in the transaction that records the updates it covers.
    static func save(_ cursor: PollCursor, in transaction: PostgresJobsTransaction) throws {
        try transaction.connection.execute(
            """
            INSERT INTO switchboard.poll_cursors (source, cursor, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
            """,
            [.text(cursor.source), .text(cursor.cursor), .int8(transaction.now.millisecondsSince1970)]
        )
    }
}
