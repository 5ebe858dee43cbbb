import Foundation
import Queue

extension PostgresChatStorage {
    func insertConnectCode(digest: Data, owner: String, provider: String, lifetime: Duration, maxPending: Int)
        async throws -> Timestamp
    {
        try await write { connection, now in
            try Self.lock("connect-codes", owner, provider, in: connection)
            let expiresAt = now + lifetime
            let at = PGValue.int8(now.millisecondsSince1970)
            try connection.execute(
                "DELETE FROM switchboard.connect_codes WHERE owner = $1 AND provider = $2 AND expires_at <= $3",
                [.text(owner), .text(provider), at]
            )
            let pending =
                try connection.execute(
                    """
                    SELECT count(*) FROM switchboard.connect_codes
                    WHERE owner = $1 AND provider = $2 AND consumed_at IS NULL AND expires_at > $3
                    """,
                    [.text(owner), .text(provider), at]
                ).first { $0.int64(0) } ?? 0
            guard pending < maxPending else {
                throw LinkError(
                    .tooManyPending,
                    "too many pending codes: wait for one to expire or use one of the \(pending) already issued"
                )
            }
            try connection.execute(
                """
                INSERT INTO switchboard.connect_codes (code_hash, owner, provider, created_at, expires_at)
                VALUES ($1, $2, $3, $4, $5)
                """,
                [.bytea(digest), .text(owner), .text(provider), at, .int8(expiresAt.millisecondsSince1970)]
            )
            return expiresAt
        }
    }

    func consumeConnectCode(digest: Data, identity: ChannelIdentity) async throws -> String {
        try await writeReadingTime { connection, currentTime in
            try connection.execute(
                "SELECT 1 FROM switchboard.connect_codes WHERE code_hash = $1 FOR UPDATE", [.bytea(digest)])
            let at = PGValue.int8(try currentTime().millisecondsSince1970)
            try connection.execute(
                """
                DELETE FROM switchboard.connect_codes WHERE code_hash IN (
                    SELECT code_hash FROM switchboard.connect_codes WHERE expires_at <= $1 ORDER BY expires_at LIMIT 64
                    FOR UPDATE SKIP LOCKED)
                """,
                [at]
            )
            let consumer = PGValue.text(identity.key)
            guard
                let owner = try connection.execute(
                    """
                    UPDATE switchboard.connect_codes SET consumed_at = $3, consumed_by = $4
                    WHERE code_hash = $1 AND provider = $2 AND consumed_at IS NULL AND expires_at > $3
                    RETURNING owner
                    """,
                    [.bytea(digest), .text(identity.provider), at, consumer]
                ).first({ $0.text(0) })
            else {
                let replay = try connection.execute(
                    "SELECT owner FROM switchboard.connect_codes WHERE code_hash = $1 AND provider = $2 AND consumed_by = $3",
                    [.bytea(digest), .text(identity.provider), consumer]
                ).first { $0.text(0) }
                guard let replay else { throw LinkError(.expiredOrUsed, "invalid or expired code") }
                return replay
            }
            try Self.lock("channel-connection", identity.key, in: connection)
            let who: [PGValue] = [.text(identity.provider), .text(identity.workspace), .text(identity.user)]
            try connection.execute(
                """
                UPDATE switchboard.channel_connections SET status = 'revoked', revoked_at = $4
                WHERE provider = $1 AND workspace = $2 AND external_user = $3 AND status = 'active'
                """,
                who + [at]
            )
            try connection.execute(
                """
                INSERT INTO switchboard.channel_connections (provider, workspace, external_user, owner, status, created_at)
                VALUES ($1, $2, $3, $4, 'active', $5)
                """,
                who + [.text(owner), at]
            )
            return owner
        }
    }

    func connectedOwner(_ identity: ChannelIdentity) async throws -> String? {
        try await query { connection, _ in try Self.activeOwner(identity, in: connection) }
    }

    /// The owner of an identity's active channel connection.
    static func activeOwner(_ identity: ChannelIdentity, in connection: PGConnection) throws -> String? {
        try connection.execute(
            """
            SELECT owner FROM switchboard.channel_connections
            WHERE provider = $1 AND workspace = $2 AND external_user = $3 AND status = 'active'
            """,
            [.text(identity.provider), .text(identity.workspace), .text(identity.user)]
        ).first { $0.text(0) }
    }
}
