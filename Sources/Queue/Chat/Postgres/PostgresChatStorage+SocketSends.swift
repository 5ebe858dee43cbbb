import Queue

extension PostgresChatStorage {
    /// The sequence hands out ids as the inserts run, not as they commit: see `SocketSend.id`.
    func queueSocketSend(_ frame: String, stream: String) async throws -> Int64 {
        try await write { connection, now in
            guard
                let id = try connection.execute(
                    "INSERT INTO switchboard.socket_sends (stream, frame, queued_at) VALUES ($1, $2, $3) RETURNING id",
                    [.text(stream), .text(frame), .int8(now.millisecondsSince1970)]
                ).first({ $0.int64(0) })
            else {
                throw QueueError(.internal, "INSERT ... RETURNING id returned no row")
            }
            return id
        }
    }

    func pendingSocketSends(stream: String, limit: Int) async throws -> [SocketSend] {
        try await query { connection, _ in
            try connection.execute(
                """
                SELECT \(SocketSend.columns) FROM switchboard.socket_sends WHERE stream = $1 AND finished_at IS NULL
                ORDER BY id LIMIT $2
                """,
                [.text(stream), .integer(limit)]
            ).rows { SocketSend(stream: stream, $0) }
        }
    }

    /// Both statements go to the server with the COMMIT, in one round trip.
    func finishSocketSends(_ ids: [Int64]) async throws {
        try await write { connection, now in
            connection.executeLater(
                "UPDATE switchboard.socket_sends SET finished_at = $2 WHERE id = ANY($1) AND finished_at IS NULL",
                [.int8Array(ids), .int8(now.millisecondsSince1970)]
            )
            connection.executeLater(
                """
                DELETE FROM switchboard.socket_sends WHERE id IN (
                    SELECT id FROM switchboard.socket_sends WHERE finished_at < $1 ORDER BY finished_at LIMIT $2)
                """,
                [.int8((now - SocketSend.finishedRetention).millisecondsSince1970), .integer(SocketSend.pruneBatch)]
            )
        }
    }
}
