import Foundation
import Queue

extension PostgresChatStorage {
    func insertLinkToken(digest: Data, type: LinkType, platform: String, subject: String, lifetime: Duration)
        async throws -> Timestamp
    {
        try await write { connection, now in
            try Self.lock("link", type.rawValue, platform, subject, in: connection)
            let expiresAt = now + lifetime
            let subjectValues: [PGValue] = [.text(type.rawValue), .text(platform), .text(subject)]
            if try Self.link(type: type, platform: platform, subject: subject, in: connection) != nil {
                throw LinkError(.alreadyLinked, "this \(type.rawValue) is already linked; delete that link first")
            }
            try connection.execute(
                """
                UPDATE switchboard.link_tokens SET superseded_at = $4
                WHERE type = $1 AND platform = $2 AND subject = $3 AND used_at IS NULL AND superseded_at IS NULL
                """,
                subjectValues + [.int8(now.millisecondsSince1970)]
            )
            try connection.execute(
                """
                INSERT INTO switchboard.link_tokens (token_hash, type, platform, subject, created_at, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                [.bytea(digest)] + subjectValues
                    + [.int8(now.millisecondsSince1970), .int8(expiresAt.millisecondsSince1970)]
            )
            return expiresAt
        }
    }

    func linkTokenTimes(digest: Data) async throws -> LinkTokenTimes? {
        try await query { connection, _ in
            try connection.execute(
                "SELECT used_at, superseded_at, expires_at FROM switchboard.link_tokens WHERE token_hash = $1",
                [.bytea(digest)]
            ).first(LinkTokenTimes.init)
        }
    }

    func confirmLinkToken(digest: Data, account: String, expecting: LinkType?) async throws -> PlatformLink {
        try await writeReadingTime { connection, currentTime in
            // The token's row lock orders racing confirmations: the first wins, the others then see it used.
            guard
                let (storedType, platform, subject) = try connection.execute(
                    "SELECT type, platform, subject FROM switchboard.link_tokens WHERE token_hash = $1 FOR UPDATE",
                    [.bytea(digest)]
                ).first({ ($0.text(0), $0.text(1), $0.text(2)) })
            else {
                throw LinkError(.notFound, "no such link token")
            }
            let type = try LinkType(stored: storedType)
            if let expecting, expecting != type {
                throw LinkError(.wrongFlow, "this is a \(type.rawValue) link token, not a \(expecting.rawValue) one")
            }
            try Self.lock("link", type.rawValue, platform, subject, in: connection)
            let now = try currentTime()
            let at = PGValue.int8(now.millisecondsSince1970)
            let consumed = try connection.execute(
                """
                UPDATE switchboard.link_tokens SET used_at = $2
                WHERE token_hash = $1 AND used_at IS NULL AND superseded_at IS NULL AND expires_at > $2
                """,
                [.bytea(digest), at]
            ).affectedRows
            guard consumed == 1 else {
                throw LinkError(.expiredOrUsed, "link token is expired or already used")
            }
            if try Self.link(type: type, platform: platform, subject: subject, in: connection) != nil {
                throw LinkError(.alreadyLinked, "this \(type.rawValue) is already linked")
            }
            guard
                let id = try connection.execute(
                    """
                    INSERT INTO switchboard.platform_links (type, platform, subject, account, created_at)
                    VALUES ($1, $2, $3, $4, $5) RETURNING id
                    """,
                    [.text(type.rawValue), .text(platform), .text(subject), .text(account), at]
                ).first({ $0.int64(0) })
            else {
                throw QueueError(.internal, "INSERT ... RETURNING id returned no row")
            }
            try connection.execute(
                "UPDATE switchboard.link_tokens SET link_id = $2 WHERE token_hash = $1", [.bytea(digest), .int8(id)])
            return PlatformLink(
                id: id, type: type, platform: platform, subject: subject, account: account, createdAt: now)
        }
    }
}
