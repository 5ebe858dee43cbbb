import Queue

extension PostgresChatStorage {
    /// One `INSERT ... ON CONFLICT DO UPDATE ... WHERE` takes, renews or leaves the hold: of two processes
    /// taking a free stream at once, the second's insert waits on the first's row and then, re-reading it,
    /// finds it held, so its `WHERE` refuses the update and it returns no row. Judged at the transaction's
    /// time, read by its BEGIN: a call that waited on a row judges it at that earlier time, so it never
    /// takes a hold before the hold has lapsed.
    func holdStream(_ stream: String, holder: String, lifetime: Duration) async throws -> StreamHold? {
        try await write { connection, now in
            let expiresAt = now + lifetime
            return try connection.execute(
                """
                INSERT INTO switchboard.stream_holds AS hold (stream, holder, token, expires_at)
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
                    .text(stream), .text(holder), .int8(now.millisecondsSince1970),
                    .int8(expiresAt.millisecondsSince1970),
                ]
            ).first { StreamHold(stream: stream, holder: holder, token: $0.int64(0), expiresAt: expiresAt) }
        }
    }

    func releaseStream(_ stream: String, holder: String) async throws {
        try await write { connection, _ in
            _ = try connection.execute(
                "UPDATE switchboard.stream_holds SET holder = NULL WHERE stream = $1 AND holder = $2",
                [.text(stream), .text(holder)]
            )
        }
    }

    func streamHold(_ stream: String) async throws -> StreamHold? {
        try await query { connection, _ in
            try connection.execute(
                "SELECT \(StreamHold.columns) FROM switchboard.stream_holds WHERE stream = $1", [.text(stream)]
            ).first { StreamHold(stream: stream, $0) } ?? nil
        }
    }

    /// The hold on `stream`, its row locked (`FOR SHARE`) to the end of the transaction, for a fence: a
    /// takeover's update waits for the fenced transaction to end, and a takeover already under way is
    /// waited for and its result read.
    static func lockedHold(_ stream: String, in connection: PGConnection) throws -> StreamHold? {
        try connection.execute(
            "SELECT \(StreamHold.columns) FROM switchboard.stream_holds WHERE stream = $1 FOR SHARE", [.text(stream)]
        ).first { StreamHold(stream: stream, $0) } ?? nil
    }
}
