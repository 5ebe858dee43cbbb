import Foundation

/// Connect codes, channel connections, platform links and link tokens, kept in the queue's database.
///
/// Every rule that must hold under concurrency (the pending-code cap, single use of codes and tokens,
/// one active owner per identity, one link per server or user) is enforced inside one write transaction,
/// and every expiry is judged by the time read inside it: a request that waited for the write lock is
/// judged when it gets it, not when it asked.
public final class AccountLinks: Sendable {
    public static let connectCodeLifetime: Duration = .seconds(600)
    public static let maxPendingConnectCodes = 5
    public static let linkTokenLifetime: Duration = .seconds(30 * 60)

    private let store: JobStore

    public init(store: JobStore) {
        self.store = store
    }

    private var clock: any WallClock { store.clock }

    // MARK: Connect codes

    /// Issues a connect code for `owner` on `provider`: 16 random bytes, valid 600 s.
    /// - Throws: `LinkError.tooManyPending` when the owner already has 5 unexpired, unused codes for the provider.
    public func requestConnectCode(owner: String, provider: String) async throws -> ConnectCode {
        try Self.requireValue(owner, "owner")
        try Self.requireValue(provider, "provider")
        let code = SecretToken.generate(byteCount: 16)
        let digest = try SecretToken.digest(code)
        let clock = self.clock
        let expiresAt = try await store.database.write { connection in
            let now = clock.now()
            let expiresAt = now + Self.connectCodeLifetime
            let at = SQLValue.integer(now.millisecondsSince1970)
            try connection.execute(
                "DELETE FROM connect_codes WHERE owner = ?1 AND provider = ?2 AND expires_at <= ?3",
                [.text(owner), .text(provider), at]
            )
            let pending = try connection.integer(
                """
                SELECT count(*) FROM connect_codes
                WHERE owner = ?1 AND provider = ?2 AND consumed_at IS NULL AND expires_at > ?3
                """,
                [.text(owner), .text(provider), at]
            ) ?? 0
            guard pending < Self.maxPendingConnectCodes else {
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
        return ConnectCode(code: code, expiresAt: expiresAt)
    }

    /// Consumes a connect code (by its digest) and binds `identity` to the code's owner, revoking any
    /// earlier owner of the identity; returns the owner.
    ///
    /// Call it only once the message is known to carry provider, workspace and user: a refused identity
    /// never reaches the code, so a malformed message cannot burn it. Presenting a code again from the
    /// identity that consumed it answers the same owner (a retried link job), and changes nothing.
    /// - Throws: `LinkError.expiredOrUsed` when no unexpired, unused code of that provider has the digest.
    public func consumeConnectCode(digest: Data, identity: ChannelIdentity) async throws -> String {
        try Self.requireValue(identity.provider, "provider")
        try Self.requireValue(identity.workspace, "workspace")
        try Self.requireValue(identity.user, "user")
        let clock = self.clock
        return try await store.database.write { connection in
            let at = SQLValue.integer(clock.now().millisecondsSince1970)
            try connection.execute(
                """
                DELETE FROM connect_codes WHERE code_hash IN (
                    SELECT code_hash FROM connect_codes WHERE expires_at <= ?1 ORDER BY expires_at LIMIT 64)
                """,
                [at]
            )
            let consumer = SQLValue.text(
                [identity.provider, identity.workspace, identity.user].map { "\($0.utf8.count):\($0)" }.joined()
            )
            guard let owner = try connection.queryFirst(
                """
                UPDATE connect_codes SET consumed_at = ?3, consumed_by = ?4
                WHERE code_hash = ?1 AND provider = ?2 AND consumed_at IS NULL AND expires_at > ?3
                RETURNING owner
                """,
                [.blob(digest), .text(identity.provider), at, consumer],
                row: { $0.text(0) }
            ) else {
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

    /// The owner an identity is connected to, if any.
    public func connectedOwner(_ identity: ChannelIdentity) async throws -> String? {
        try await store.database.read { connection in
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

    // MARK: Link tokens

    /// Issues a link token for a server or user of a platform: 32 random bytes, valid 30 minutes, and
    /// supersedes the pending tokens for the same server or user.
    /// - Throws: `LinkError.alreadyLinked` when that server or user is already linked.
    public func createLinkToken(type: LinkType, platform: String, subject: String) async throws -> LinkToken {
        try Self.requireValue(platform, "platform")
        try Self.requireValue(subject, type == .server ? "server id" : "user id")
        let token = SecretToken.generate(byteCount: 32)
        let digest = try SecretToken.digest(token)
        let clock = self.clock
        let expiresAt = try await store.database.write { connection in
            let now = clock.now()
            let expiresAt = now + Self.linkTokenLifetime
            let subjectValues: [SQLValue] = [.text(type.rawValue), .text(platform), .text(subject)]
            if try Self.link(type: type, platform: platform, subject: subject, in: connection) != nil {
                throw LinkError(.alreadyLinked, "this \(type.rawValue) is already linked; delete that link first")
            }
            try connection.execute(
                """
                UPDATE link_tokens SET superseded_at = ?4
                WHERE type = ?1 AND platform = ?2 AND subject = ?3 AND used_at IS NULL AND superseded_at IS NULL
                """,
                subjectValues + [.integer(now.millisecondsSince1970)]
            )
            try connection.execute(
                """
                INSERT INTO link_tokens (token_hash, type, platform, subject, created_at, expires_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                """,
                [.blob(digest)] + subjectValues
                    + [.integer(now.millisecondsSince1970), .integer(expiresAt.millisecondsSince1970)]
            )
            return expiresAt
        }
        return LinkToken(token: token, expiresAt: expiresAt)
    }

    /// Where a token stands: pending, linked, expired or superseded.
    /// - Throws: `LinkError.malformedToken` (not looked up) or `.notFound`.
    public func linkTokenStatus(_ token: String) async throws -> LinkTokenStatus {
        guard SecretToken.isWellFormed(token) else { throw LinkError.malformed }
        let digest = try SecretToken.digest(token)
        let clock = self.clock
        let (row, now) = try await store.database.read { connection in
            let row = try connection.queryFirst(
                "SELECT used_at, superseded_at, expires_at FROM link_tokens WHERE token_hash = ?1", [.blob(digest)]
            ) { ($0.optionalInt64(0), $0.optionalInt64(1), $0.int64(2)) }
            return (row, clock.now())
        }
        guard let (usedAt, supersededAt, expiresAt) = row else {
            throw LinkError(.notFound, "no such link token")
        }
        if usedAt != nil { return .linked }
        if supersededAt != nil { return .superseded }
        return expiresAt <= now.millisecondsSince1970 ? .expired : .pending
    }

    /// Consumes a link token and links its server or user to `account`, in one transaction: if the link
    /// cannot be created, the token stays unused. Of two racing confirmations exactly one succeeds.
    /// - Parameter expecting: the flow the caller confirms; a token of the other flow is refused.
    /// - Throws: `LinkError` `.malformedToken`, `.notFound`, `.wrongFlow`, `.expiredOrUsed` or `.alreadyLinked`.
    public func confirmLinkToken(_ token: String, account: String, expecting: LinkType? = nil) async throws
        -> PlatformLink
    {
        guard SecretToken.isWellFormed(token) else { throw LinkError.malformed }
        try Self.requireValue(account, "account")
        let digest = try SecretToken.digest(token)
        let clock = self.clock
        return try await store.database.write { connection in
            let now = clock.now()
            let at = SQLValue.integer(now.millisecondsSince1970)
            guard let (type, platform, subject) = try connection.queryFirst(
                "SELECT type, platform, subject FROM link_tokens WHERE token_hash = ?1", [.blob(digest)],
                row: { (LinkType(rawValue: $0.text(0)) ?? .user, $0.text(1), $0.text(2)) }
            ) else {
                throw LinkError(.notFound, "no such link token")
            }
            if let expecting, expecting != type {
                throw LinkError(.wrongFlow, "this is a \(type.rawValue) link token, not a \(expecting.rawValue) one")
            }
            let consumed = try connection.execute(
                """
                UPDATE link_tokens SET used_at = ?2
                WHERE token_hash = ?1 AND used_at IS NULL AND superseded_at IS NULL AND expires_at > ?2
                """,
                [.blob(digest), at]
            )
            guard consumed == 1 else {
                throw LinkError(.expiredOrUsed, "link token is expired or already used")
            }
            if try Self.link(type: type, platform: platform, subject: subject, in: connection) != nil {
                throw LinkError(.alreadyLinked, "this \(type.rawValue) is already linked")
            }
            try connection.execute(
                "INSERT INTO platform_links (type, platform, subject, account, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                [.text(type.rawValue), .text(platform), .text(subject), .text(account), at]
            )
            let id = connection.lastInsertRowID
            try connection.execute("UPDATE link_tokens SET link_id = ?2 WHERE token_hash = ?1", [.blob(digest), .integer(id)])
            return PlatformLink(id: id, type: type, platform: platform, subject: subject, account: account, createdAt: now)
        }
    }

    // MARK: Links

    /// The links an account owns, oldest first.
    public func links(account: String) async throws -> [PlatformLink] {
        try await store.database.read { connection in
            try connection.query(
                "SELECT \(PlatformLink.columns) FROM platform_links WHERE account = ?1 ORDER BY id", [.text(account)],
                row: PlatformLink.init
            )
        }
    }

    /// The link of a server or user, if there is one.
    public func link(type: LinkType, platform: String, subject: String) async throws -> PlatformLink? {
        try await store.database.read { connection in
            try Self.link(type: type, platform: platform, subject: subject, in: connection)
        }
    }

    /// Deletes a link, which only the account that owns it may do.
    /// - Throws: `LinkError.notFound` or `.notOwner`.
    public func deleteLink(id: Int64, account: String) async throws {
        try await store.database.write { connection in
            guard let owner = try connection.queryFirst(
                "SELECT account FROM platform_links WHERE id = ?1", [.integer(id)], row: { $0.text(0) }
            ) else {
                throw LinkError(.notFound, "no link with id \(id)")
            }
            guard owner == account else {
                throw LinkError(.notOwner, "link \(id) belongs to another account")
            }
            try connection.execute("DELETE FROM platform_links WHERE id = ?1", [.integer(id)])
        }
    }

    /// The account that owns a message: the server link of its workspace for a group message, else the
    /// user link of its sender for a direct message, else the sender's channel connection, else none.
    public func resolveOwner(provider: String, workspace: String?, sender: String, isDirect: Bool) async throws
        -> OwnerResolution
    {
        try await store.database.read { connection in
            if !isDirect, let workspace,
                let link = try Self.link(type: .server, platform: provider, subject: workspace, in: connection)
            {
                return .serverLink(account: link.account)
            }
            if isDirect, let link = try Self.link(type: .user, platform: provider, subject: sender, in: connection) {
                return .userLink(account: link.account)
            }
            if let workspace, let owner = try connection.queryFirst(
                """
                SELECT owner FROM channel_connections
                WHERE provider = ?1 AND workspace = ?2 AND external_user = ?3 AND status = 'active'
                """,
                [.text(provider), .text(workspace), .text(sender)],
                row: { $0.text(0) }
            ) {
                return .channelConnection(account: owner)
            }
            return .unlinked
        }
    }

    private static func link(type: LinkType, platform: String, subject: String, in connection: SQLiteConnection)
        throws -> PlatformLink?
    {
        try connection.queryFirst(
            "SELECT \(PlatformLink.columns) FROM platform_links WHERE type = ?1 AND platform = ?2 AND subject = ?3",
            [.text(type.rawValue), .text(platform), .text(subject)],
            row: PlatformLink.init
        )
    }

    private static func requireValue(_ value: String, _ field: String) throws {
        if value.isEmpty {
            throw QueueError.invalid(field, "must not be empty")
        }
    }
}
