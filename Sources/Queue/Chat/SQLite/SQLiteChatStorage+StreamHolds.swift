import Queue

extension SQLiteChatStorage {
    /// One statement takes, renews or leaves the hold; the single writer orders concurrent callers.
    func holdStream(_ stream: String, holder: String, lifetime: Duration) async throws -> StreamHold? {
        try await write { connection, now in
            let expiresAt = now + lifetime
            return try connection.queryFirst(
                """
                INSERT INTO stream_holds AS hold (stream, holder, token, expires_at) VALUES (?1, ?2, 1, ?4)
                ON CONFLICT (stream) DO UPDATE SET
                    token = CASE WHEN hold.holder = excluded.holder AND hold.expires_at > ?3
                        THEN hold.token ELSE hold.token + 1 END,
                    holder = excluded.holder,
                    expires_at = excluded.expires_at
                WHERE hold.holder IS NULL OR hold.holder = excluded.holder OR hold.expires_at <= ?3
                RETURNING token
                """,
                [
                    .text(stream), .text(holder), .integer(now.millisecondsSince1970),
                    .integer(expiresAt.millisecondsSince1970),
                ]
            ) { StreamHold(stream: stream, holder: holder, token: $0.int64(0), expiresAt: expiresAt) }
        }
    }

    func releaseStream(_ stream: String, holder: String) async throws {
        try await write { connection, _ in
            _ = try connection.execute(
                "UPDATE stream_holds SET holder = NULL WHERE stream = ?1 AND holder = ?2",
                [.text(stream), .text(holder)]
            )
        }
    }

    func streamHold(_ stream: String) async throws -> StreamHold? {
        try await read { connection, _ in try Self.hold(stream, in: connection) }
    }

    /// The hold on `stream` as the connection's transaction reads it. In a write transaction (a fence's)
    /// no takeover can come between this read and the commit: the transaction holds the file's write lock.
    static func hold(_ stream: String, in connection: SQLiteConnection) throws -> StreamHold? {
        try connection.queryFirst(
            "SELECT \(StreamHold.columns) FROM stream_holds WHERE stream = ?1", [.text(stream)]
        ) { StreamHold(stream: stream, $0) } ?? nil
    }
}
