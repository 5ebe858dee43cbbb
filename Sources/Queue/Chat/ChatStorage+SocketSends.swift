import Queue

extension ChatStorage {
    /// Stores `frame` for `stream`, queued at the transaction's time; returns its id, higher than every id
    /// handed out before (see `SocketSend.id` for the order ids and commits keep).
    func queueSocketSend(_ frame: String, stream: String) async throws -> Int64 {
        try await write { sql, now in
            guard
                let id = try sql.integer(
                    "INSERT INTO \(sql.dialect.table("socket_sends")) (stream, frame, queued_at) VALUES ($1, $2, $3) RETURNING id",
                    [.text(stream), .text(frame), .integer(now.millisecondsSince1970)]
                )
            else {
                throw QueueError(.internal, "INSERT ... RETURNING id returned no row")
            }
            return id
        }
    }

    /// `stream`'s unfinished frames, lowest id first, at most `limit`.
    func pendingSocketSends(stream: String, limit: Int) async throws -> [SocketSend] {
        try await read { sql, _ in
            try sql.query(
                """
                SELECT \(SocketSend.columns) FROM \(sql.dialect.table("socket_sends"))
                WHERE stream = $1 AND finished_at IS NULL ORDER BY id LIMIT $2
                """,
                [.text(stream), .integer(limit)],
                row: { SocketSend(stream: stream, $0) }
            )
        }
    }

    /// Sets the finishing time of the unfinished frames among `ids` to the transaction's time, and deletes
    /// at most `SocketSend.pruneBatch` frames finished over `SocketSend.finishedRetention` before it; on
    /// PostgreSQL both statements go to the server with the COMMIT, in one round trip.
    func finishSocketSends(_ ids: [Int64]) async throws {
        try await write { sql, now in
            let sends = sql.dialect.table("socket_sends")
            try sql.executeDeferred(
                "UPDATE \(sends) SET finished_at = $2 WHERE id \(sql.dialect.isAny(ofIntegers: 1)) AND finished_at IS NULL",
                [.integers(ids), .integer(now.millisecondsSince1970)]
            )
            try sql.executeDeferred(
                """
                DELETE FROM \(sends) WHERE id IN (
                    SELECT id FROM \(sends) WHERE finished_at < $1 ORDER BY finished_at LIMIT $2)
                """,
                [
                    .integer((now - SocketSend.finishedRetention).millisecondsSince1970),
                    .integer(SocketSend.pruneBatch),
                ]
            )
        }
    }
}
