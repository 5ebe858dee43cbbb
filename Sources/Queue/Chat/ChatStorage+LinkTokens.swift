import Foundation
import Queue

extension ChatStorage {
    /// Stores a link token's digest, superseding the pending ones for the same server or user.
    func insertLinkToken(
        digest: Data, type: LinkType, platform: String, subject: String, serverName: String?, lifetime: Duration
    ) async throws -> Timestamp {
        try await write { sql, now in
            let tokens = sql.dialect.table("link_tokens")
            try sql.lock("link", type.rawValue, platform, subject)
            let expiresAt = now + lifetime
            let subjectValues: [SQLValue] = [.text(type.rawValue), .text(platform), .text(subject)]
            if try Self.link(type: type, platform: platform, subject: subject, in: sql) != nil {
                throw LinkError(.alreadyLinked, "this \(type.rawValue) is already linked; delete that link first")
            }
            try sql.execute(
                """
                UPDATE \(tokens) SET superseded_at = $4
                WHERE type = $1 AND platform = $2 AND subject = $3 AND used_at IS NULL AND superseded_at IS NULL
                """,
                subjectValues + [.integer(now.millisecondsSince1970)]
            )
            try sql.execute(
                """
                INSERT INTO \(tokens) (token_hash, type, platform, subject, created_at, expires_at, server_name)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                [.blob(digest)] + subjectValues
                    + [
                        .integer(now.millisecondsSince1970), .integer(expiresAt.millisecondsSince1970),
                        .optionalText(serverName),
                    ]
            )
            return expiresAt
        }
    }

    /// The token whose digest is `digest`; nil when there is none.
    func linkToken(digest: Data) async throws -> LinkTokenRecord? {
        try await read { sql, _ in
            try sql.queryFirst(
                "SELECT \(LinkTokenRecord.columns) FROM \(sql.dialect.table("link_tokens")) WHERE token_hash = $1",
                [.blob(digest)],
                row: { try LinkTokenRecord($0) }
            )
        }
    }

    /// Consumes a token and creates its link, or (on any refusal) neither. The token's row lock orders
    /// racing confirmations: the first wins, the others then see it used; its expiry is judged once that
    /// lock is held.
    func confirmLinkToken(digest: Data, account: String, expecting: LinkType?) async throws -> PlatformLink {
        try await write { sql, _ in
            let tokens = sql.dialect.table("link_tokens")
            guard
                let (storedType, platform, subject) = try sql.queryFirst(
                    "SELECT type, platform, subject FROM \(tokens) WHERE token_hash = $1\(sql.dialect.forUpdate)",
                    [.blob(digest)],
                    row: { ($0.text(0), $0.text(1), $0.text(2)) }
                )
            else {
                throw LinkError(.notFound, "no such link token")
            }
            let type = try LinkType(stored: storedType)
            if let expecting, expecting != type {
                throw LinkError(.wrongFlow, "this is a \(type.rawValue) link token, not a \(expecting.rawValue) one")
            }
            try sql.lock("link", type.rawValue, platform, subject)
            let now = try sql.currentTime()
            let at = SQLValue.integer(now.millisecondsSince1970)
            let consumed = try sql.execute(
                """
                UPDATE \(tokens) SET used_at = $2
                WHERE token_hash = $1 AND used_at IS NULL AND superseded_at IS NULL AND expires_at > $2
                """,
                [.blob(digest), at]
            )
            guard consumed == 1 else {
                throw LinkError(.expiredOrUsed, "link token is expired or already used")
            }
            if try Self.link(type: type, platform: platform, subject: subject, in: sql) != nil {
                throw LinkError(.alreadyLinked, "this \(type.rawValue) is already linked")
            }
            guard
                let id = try sql.integer(
                    """
                    INSERT INTO \(sql.dialect.table("platform_links")) (type, platform, subject, account, created_at)
                    VALUES ($1, $2, $3, $4, $5) RETURNING id
                    """,
                    [.text(type.rawValue), .text(platform), .text(subject), .text(account), at]
                )
            else {
                throw QueueError(.internal, "INSERT ... RETURNING id returned no row")
            }
            try sql.execute("UPDATE \(tokens) SET link_id = $2 WHERE token_hash = $1", [.blob(digest), .integer(id)])
            return PlatformLink(
                id: id, type: type, platform: platform, subject: subject, account: account, createdAt: now)
        }
    }
}
