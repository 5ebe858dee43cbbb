import Queue

extension SQLiteChatStorage {
    /// The single writer hands out ids in commit order, so ids rise in the order frames become pending.
    func queueSocketSend(_ frame: String, stream: String) async throws -> Int64 {
        try await write { connection, now in
            try connection.execute(
                "INSERT INTO socket_sends (stream, frame, queued_at) VALUES (?1, ?2, ?3)",
                [.text(stream), .text(frame), .integer(now.millisecondsSince1970)]
            )
            return connection.lastInsertRowID
        }
    }

    func pendingSocketSends(stream: String, limit: Int) async throws -> [SocketSend] {
        try await read { connection, _ in
            try connection.query(
                """
                SELECT \(SocketSend.columns) FROM socket_sends WHERE stream = ?1 AND finished_at IS NULL
                ORDER BY id LIMIT ?2
                """,
                [.text(stream), .integer(limit)]
            ) { SocketSend(stream: stream, $0) }
        }
    }

    func finishSocketSends(_ ids: [Int64]) async throws {
        try await write { connection, now in
            try connection.execute(
                """
                UPDATE socket_sends SET finished_at = ?2
                WHERE id IN (SELECT value FROM json_each(?1)) AND finished_at IS NULL
                """,
                [.idList(ids), .integer(now.millisecondsSince1970)]
            )
            try connection.execute(
                """
                DELETE FROM socket_sends WHERE id IN (
                    SELECT id FROM socket_sends WHERE finished_at < ?1 ORDER BY finished_at LIMIT ?2)
                """,
                [
                    .integer((now - SocketSend.finishedRetention).millisecondsSince1970),
                    .integer(SocketSend.pruneBatch),
                ]
            )
        }
    }
}
