import Foundation
import Queue

extension PostgresChatStorage {
    func links(account: String) async throws -> [PlatformLink] {
        try await query { connection, _ in
            try connection.execute(
                "SELECT \(PlatformLink.columns) FROM switchboard.platform_links WHERE account = $1 ORDER BY id",
                [.text(account)]
            ).rows(PlatformLink.init)
        }
    }

    func link(type: LinkType, platform: String, subject: String) async throws -> PlatformLink? {
        try await query { connection, _ in
            try Self.link(type: type, platform: platform, subject: subject, in: connection)
        }
    }

    func deleteLink(id: Int64, account: String) async throws {
        try await write { connection, _ in
            guard
                let owner = try connection.execute(
                    "SELECT account FROM switchboard.platform_links WHERE id = $1 FOR UPDATE", [.int8(id)]
                ).first({ $0.text(0) })
            else {
                throw LinkError(.notFound, "no link with id \(id)")
            }
            guard owner == account else {
                throw LinkError(.notOwner, "link \(id) belongs to another account")
            }
            try connection.execute("DELETE FROM switchboard.platform_links WHERE id = $1", [.int8(id)])
        }
    }

    /// The link of a server or user, if there is one.
    static func link(type: LinkType, platform: String, subject: String, in connection: PGConnection) throws
        -> PlatformLink?
    {
        try connection.execute(
            "SELECT \(PlatformLink.columns) FROM switchboard.platform_links WHERE type = $1 AND platform = $2 AND subject = $3",
            [.text(type.rawValue), .text(platform), .text(subject)]
        ).first(PlatformLink.init)
    }
}
