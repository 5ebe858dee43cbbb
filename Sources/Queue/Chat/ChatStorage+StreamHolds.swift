import Queue

extension ChatStorage {
    /// Takes or renews the hold on `stream` for `holder` until `lifetime` from the transaction's time;
    /// nil, changing nothing, when another holder's unexpired hold stands.
    ///
    /// One `INSERT ... ON CONFLICT DO UPDATE ... WHERE` takes, renews or leaves the hold. SQLite's single
    /// writer orders concurrent callers. On PostgreSQL, of two processes taking a free stream at once, the
    /// second's insert waits on the first's row and then, re-reading it, finds it held, so its `WHERE`
    /// refuses the update and it returns no row; judged at the transaction's time, read by its BEGIN, a
    /// call that waited on a row judges it at that earlier time, so it never takes a hold before the hold
    /// has lapsed.
    func holdStream(_ stream: String, holder: String, lifetime: Duration) async throws -> StreamHold? {
        try await write { sql, now in
            let expiresAt = now + lifetime
            return try sql.queryFirst(
                """
                INSERT INTO \(sql.dialect.table("stream_holds")) AS hold (stream, holder, token, expires_at)
                VALUES ($1, $2, 1, $4)
                ON CONFLICT (stream) DO UPDATE SET
                    token = CASE WHEN hold.holder = excluded.holder AND hold.expires_at > $3
                        THEN hold.token ELSE hold.token + 1 END,
                    holder = excluded.holder,
                    expires_at = excluded.expires_at
                WHERE hold.holder IS NULL OR hold.holder = excluded.holder OR hold.expires_at <= $3
                RETURNING token
                """,
                [
                    .text(stream), .text(holder), .integer(now.millisecondsSince1970),
                    .integer(expiresAt.millisecondsSince1970),
                ],
                row: { StreamHold(stream: stream, holder: holder, token: $0.int64(0), expiresAt: expiresAt) }
            )
        }
    }

    /// Marks the hold released (keeping its token, so the next taker's is higher) if `holder` has it.
    func releaseStream(_ stream: String, holder: String) async throws {
        try await write { sql, _ in
            _ = try sql.execute(
                "UPDATE \(sql.dialect.table("stream_holds")) SET holder = NULL WHERE stream = $1 AND holder = $2",
                [.text(stream), .text(holder)]
            )
        }
    }

    func streamHold(_ stream: String) async throws -> StreamHold? {
        try await read { sql, _ in try Self.hold(stream, in: sql, locking: false) }
    }

    /// The hold on `stream` as `sql`'s transaction reads it. In a write transaction (a fence's) no takeover
    /// can come between this read and the commit: SQLite's transaction holds the file's write lock, and on
    /// PostgreSQL the row is locked (`FOR SHARE`) to the end of the transaction, so a takeover's update
    /// waits for the fenced transaction to end, and a takeover already under way is waited for and its
    /// result read.
    static func hold(_ stream: String, in sql: any SQLExecutor, locking: Bool) throws -> StreamHold? {
        try sql.queryFirst(
            """
            SELECT \(StreamHold.columns) FROM \(sql.dialect.table("stream_holds"))
            WHERE stream = $1\(locking ? sql.dialect.forShare : "")
            """,
            [.text(stream)],
            row: { StreamHold(stream: stream, $0) }
        ) ?? nil
    }
}
