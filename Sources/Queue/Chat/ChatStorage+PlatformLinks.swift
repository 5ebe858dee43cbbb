import Foundation
import Queue

extension ChatStorage {
    func links(account: String) async throws -> [PlatformLink] {
        try await read { sql, _ in
            try sql.query(
                "SELECT \(PlatformLink.columns) FROM \(sql.dialect.table("platform_links")) WHERE account = $1 ORDER BY id",
                [.text(account)],
                row: { try PlatformLink($0) }
            )
        }
    }

    func link(type: LinkType, platform: String, subject: String) async throws -> PlatformLink? {
        try await read { sql, _ in try Self.link(type: type, platform: platform, subject: subject, in: sql) }
    }

    /// Deletes link `id` of `account`'s, when it is of `type` (any type when nil).
    func deleteLink(id: Int64, account: String, type: LinkType?) async throws {
        try await write { sql, _ in
            let links = sql.dialect.table("platform_links")
            guard
                let (owner, storedType) = try sql.queryFirst(
                    "SELECT account, type FROM \(links) WHERE id = $1\(sql.dialect.forUpdate)", [.integer(id)],
                    row: { ($0.text(0), $0.text(1)) }
                ), type == nil || type?.rawValue == storedType
            else {
                throw LinkError(.notFound, "no \(type.map { "\($0.rawValue) " } ?? "")link with id \(id)")
            }
            guard owner == account else {
                throw LinkError(.notOwner, "link \(id) belongs to another account")
            }
            try sql.execute("DELETE FROM \(links) WHERE id = $1", [.integer(id)])
        }
    }

    /// The link of a server or user, if there is one.
    static func link(type: LinkType, platform: String, subject: String, in sql: any SQLExecutor) throws
        -> PlatformLink?
    {
        try sql.queryFirst(
            """
            SELECT \(PlatformLink.columns) FROM \(sql.dialect.table("platform_links"))
            WHERE type = $1 AND platform = $2 AND subject = $3
            """,
            [.text(type.rawValue), .text(platform), .text(subject)],
            row: { try PlatformLink($0) }
        )
    }
}
