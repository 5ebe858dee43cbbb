import Foundation
import Queue

extension SQLiteChatStorage {
    func insertConnectCode(digest: Data, owner: String, provider: String, lifetime: Duration, maxPending: Int)
        async throws -> Timestamp
    {
        try await write { connection, now in
            let expiresAt = now + lifetime
            let at = SQLValue.integer(now.millisecondsSince1970)
            try connection.execute(
                "DELETE FROM connect_codes WHERE owner = ?1 AND provider = ?2 AND expires_at <= ?3",
                [.text(owner), .text(provider), at]
            )
            let pending =
                try connection.integer(
                    """
                    SELECT count(*) FROM connect_codes
                    WHERE owner = ?1 AND provider = ?2 AND consumed_at IS NULL AND expires_at > ?3
                    """,
                    [.text(owner), .text(provider), at]
                ) ?? 0
            guard pending < maxPending else {
                throw LinkError(
                    .tooManyPending,
                    "too many pending codes: wait for one to expire or use one of the \(pending) already issued"
                )
            }
            try connection.execute(
                """
                INSERT INTO connect_codes (code_hash, owner, provider, created_at, expires_at)
                VALUES (?1, ?2, ?3, ?4, ?5)
                """,
                [.blob(digest), .text(owner), .text(provider), at, .integer(expiresAt.millisecondsSince1970)]
            )
            return expiresAt
        }
    }

    func consumeConnectCode(digest: Data, identity: ChannelIdentity) async throws -> String {
        try await write { connection, now in
            let at = SQLValue.integer(now.millisecondsSince1970)
            try connection.execute(
                """
                DELETE FROM connect_codes WHERE code_hash IN (
                    SELECT code_hash FROM connect_codes WHERE expires_at <= ?1 ORDER BY expires_at LIMIT 64)
                """,
                [at]
            )
            let consumer = SQLValue.text(identity.key)
            guard
                let owner = try connection.queryFirst(
                    """
                    UPDATE connect_codes SET consumed_at = ?3, consumed_by = ?4
                    WHERE code_hash = ?1 AND provider = ?2 AND consumed_at IS NULL AND expires_at > ?3
                    RETURNING owner
                    """,
                    [.blob(digest), .text(identity.provider), at, consumer],
                    row: { $0.text(0) }
                )
            else {
                let replay = try connection.queryFirst(
                    "SELECT owner FROM connect_codes WHERE code_hash = ?1 AND provider = ?2 AND consumed_by = ?3",
                    [.blob(digest), .text(identity.provider), consumer],
                    row: { $0.text(0) }
                )
                guard let replay else { throw LinkError(.expiredOrUsed, "invalid or expired code") }
                return replay
            }
            let who: [SQLValue] = [.text(identity.provider), .text(identity.workspace), .text(identity.user)]
            try connection.execute(
                """
                UPDATE channel_connections SET status = 'revoked', revoked_at = ?4
                WHERE provider = ?1 AND workspace = ?2 AND external_user = ?3 AND status = 'active'
                """,
                who + [at]
            )
            try connection.execute(
                """
                INSERT INTO channel_connections (provider, workspace, external_user, owner, status, created_at)
                VALUES (?1, ?2, ?3, ?4, 'active', ?5)
                """,
                who + [.text(owner), at]
            )
            return owner
        }
    }

    func connectedOwner(_ identity: ChannelIdentity) async throws -> String? {
        try await read { connection, _ in try Self.activeOwner(identity, in: connection) }
    }

    /// The owner of an identity's active channel connection.
    static func activeOwner(_ identity: ChannelIdentity, in connection: SQLiteConnection) throws -> String? {
        try connection.queryFirst(
            """
            SELECT owner FROM channel_connections
            WHERE provider = ?1 AND workspace = ?2 AND external_user = ?3 AND status = 'active'
            """,
            [.text(identity.provider), .text(identity.workspace), .text(identity.user)],
            row: { $0.text(0) }
        )
    }
}
