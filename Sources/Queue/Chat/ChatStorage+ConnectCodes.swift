import Foundation
import Queue

extension ChatStorage {
    /// Stores a connect code's digest for `owner` on `provider`, valid for `lifetime`; returns its expiry.
    /// - Throws: `LinkError.tooManyPending` when `owner` already has `maxPending` unexpired, unused codes.
    func insertConnectCode(digest: Data, owner: String, provider: String, lifetime: Duration, maxPending: Int)
        async throws -> Timestamp
    {
        try await write { sql, now in
            let codes = sql.dialect.table("connect_codes")
            try sql.lock("connect-codes", owner, provider)
            let expiresAt = now + lifetime
            let at = SQLValue.integer(now.millisecondsSince1970)
            try sql.execute(
                "DELETE FROM \(codes) WHERE owner = $1 AND provider = $2 AND expires_at <= $3",
                [.text(owner), .text(provider), at]
            )
            let pending =
                try sql.integer(
                    """
                    SELECT count(*) FROM \(codes)
                    WHERE owner = $1 AND provider = $2 AND consumed_at IS NULL AND expires_at > $3
                    """,
                    [.text(owner), .text(provider), at]
                ) ?? 0
            guard pending < maxPending else {
                throw LinkError(
                    .tooManyPending,
                    "too many pending codes: wait for one to expire or use one of the \(pending) already issued"
                )
            }
            try sql.execute(
                "INSERT INTO \(codes) (code_hash, owner, provider, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                [.blob(digest), .text(owner), .text(provider), at, .integer(expiresAt.millisecondsSince1970)]
            )
            return expiresAt
        }
    }

    /// Consumes a code and binds `identity` to its owner, revoking any earlier owner; returns the owner.
    /// Presenting it again from the identity that consumed it answers the same owner and changes nothing.
    /// The code's expiry is judged once its row is locked, at the moment of use.
    func consumeConnectCode(digest: Data, identity: ChannelIdentity) async throws -> String {
        try await write { sql, _ in
            let codes = sql.dialect.table("connect_codes")
            let connections = sql.dialect.table("channel_connections")
            try sql.execute("SELECT 1 FROM \(codes) WHERE code_hash = $1\(sql.dialect.forUpdate)", [.blob(digest)])
            let at = SQLValue.integer(try sql.currentTime().millisecondsSince1970)
            try sql.execute(
                """
                DELETE FROM \(codes) WHERE code_hash IN (
                    SELECT code_hash FROM \(codes) WHERE expires_at <= $1 ORDER BY expires_at LIMIT 64\(sql.dialect.skipLocked))
                """,
                [at]
            )
            let consumer = SQLValue.text(identity.key)
            guard
                let owner = try sql.queryFirst(
                    """
                    UPDATE \(codes) SET consumed_at = $3, consumed_by = $4
                    WHERE code_hash = $1 AND provider = $2 AND consumed_at IS NULL AND expires_at > $3
                    RETURNING owner
                    """,
                    [.blob(digest), .text(identity.provider), at, consumer],
                    row: { $0.text(0) }
                )
            else {
                let replay = try sql.queryFirst(
                    "SELECT owner FROM \(codes) WHERE code_hash = $1 AND provider = $2 AND consumed_by = $3",
                    [.blob(digest), .text(identity.provider), consumer],
                    row: { $0.text(0) }
                )
                guard let replay else { throw LinkError(.expiredOrUsed, "invalid or expired code") }
                return replay
            }
            try sql.lock("channel-connection", identity.key)
            let who: [SQLValue] = [.text(identity.provider), .text(identity.workspace), .text(identity.user)]
            try sql.execute(
                """
                UPDATE \(connections) SET status = 'revoked', revoked_at = $4
                WHERE provider = $1 AND workspace = $2 AND external_user = $3 AND status = 'active'
                """,
                who + [at]
            )
            try sql.execute(
                """
                INSERT INTO \(connections) (provider, workspace, external_user, owner, status, created_at)
                VALUES ($1, $2, $3, $4, 'active', $5)
                """,
                who + [.text(owner), at]
            )
            return owner
        }
    }

    func connectedOwner(_ identity: ChannelIdentity) async throws -> String? {
        try await read { sql, _ in
            try sql.queryFirst(
                """
                SELECT owner FROM \(sql.dialect.table("channel_connections"))
                WHERE provider = $1 AND workspace = $2 AND external_user = $3 AND status = 'active'
                """,
                [.text(identity.provider), .text(identity.workspace), .text(identity.user)],
                row: { $0.text(0) }
            )
        }
    }
}

extension ChatStorage {
    /// `owner`'s active connections, oldest first.
    func connections(owner: String) async throws -> [ChannelConnection] {
        try await read { sql, _ in
            try sql.query(
                """
                SELECT \(ChannelConnection.columns) FROM \(sql.dialect.table("channel_connections"))
                WHERE owner = $1 AND status = 'active' ORDER BY id
                """,
                [.text(owner)],
                row: { ChannelConnection($0) }
            )
        }
    }

    /// Revokes an active connection of `owner`'s; the identity is then unconnected.
    /// - Throws: `LinkError.notFound` when no active connection has the id, `.notOwner` when it is another
    ///   owner's.
    func revokeConnection(id: Int64, owner: String) async throws {
        try await write { sql, now in
            let connections = sql.dialect.table("channel_connections")
            guard
                let current = try sql.queryFirst(
                    "SELECT owner FROM \(connections) WHERE id = $1 AND status = 'active'\(sql.dialect.forUpdate)",
                    [.integer(id)], row: { $0.text(0) })
            else {
                throw LinkError(.notFound, "no active connection with id \(id)")
            }
            guard current == owner else {
                throw LinkError(.notOwner, "connection \(id) belongs to another owner")
            }
            try sql.execute(
                "UPDATE \(connections) SET status = 'revoked', revoked_at = $2 WHERE id = $1",
                [.integer(id), .integer(now.millisecondsSince1970)])
        }
    }
}
