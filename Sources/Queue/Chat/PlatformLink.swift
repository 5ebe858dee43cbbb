import Foundation
import Queue

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
