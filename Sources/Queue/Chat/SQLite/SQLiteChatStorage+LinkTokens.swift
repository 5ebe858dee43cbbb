import Foundation
import Queue

extension SQLiteChatStorage {
    func insertLinkToken(digest: Data, type: LinkType, platform: String, subject: String, lifetime: Duration)
        async throws -> Timestamp
    {
        try await write { connection, now in
            let expiresAt = now + lifetime
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
    }

    func linkTokenTimes(digest: Data) async throws -> LinkTokenTimes? {
        try await read { connection, _ in
            try connection.queryFirst(
                "SELECT used_at, superseded_at, expires_at FROM link_tokens WHERE token_hash = ?1", [.blob(digest)],
                row: LinkTokenTimes.init)
        }
    }

    func confirmLinkToken(digest: Data, account: String, expecting: LinkType?) async throws -> PlatformLink {
        try await write { connection, now in
            let at = SQLValue.integer(now.millisecondsSince1970)
            guard
                let (storedType, platform, subject) = try connection.queryFirst(
                    "SELECT type, platform, subject FROM link_tokens WHERE token_hash = ?1", [.blob(digest)],
                    row: { ($0.text(0), $0.text(1), $0.text(2)) }
                )
            else {
                throw LinkError(.notFound, "no such link token")
            }
            let type = try LinkType(stored: storedType)
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
            try connection.execute(
                "UPDATE link_tokens SET link_id = ?2 WHERE token_hash = ?1", [.blob(digest), .integer(id)])
            return PlatformLink(
                id: id, type: type, platform: platform, subject: subject, account: account, createdAt: now)
        }
    }
}
