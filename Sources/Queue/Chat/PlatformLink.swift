import Foundation

/// A link from a server or a user of a platform to an account.
public struct PlatformLink: Sendable, Equatable {
    public var id: Int64
    public var type: LinkType
    public var platform: String
    /// The server id (SERVER links) or user id (USER links).
    public var subject: String
    public var account: String
    public var createdAt: Timestamp
}
extension PlatformLink {
    static let columns = "id, type, platform, subject, account, created_at"

    init(_ row: SQLiteStatement) {
        id = row.int64(0)
        type = LinkType(rawValue: row.text(1)) ?? .user
        platform = row.text(2)
        subject = row.text(3)
        account = row.text(4)
        createdAt = Timestamp(millisecondsSince1970: row.int64(5))
    }
}
