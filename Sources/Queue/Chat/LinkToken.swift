import Foundation
import Queue

/// A link token, shown once; only its digest is kept.
public struct LinkToken: Sendable {
    public var token: String
    public var expiresAt: Timestamp
}

/// A link token as stored: what it links, and its times.
package struct LinkTokenRecord: Sendable {
    package var type: LinkType
    package var platform: String
    package var serverName: String?
    package var usedAt: Timestamp?
    package var supersededAt: Timestamp?
    package var expiresAt: Timestamp

    /// Where the token stands at `now`: used first, then superseded, then expired.
    func status(at now: Timestamp) -> LinkTokenStatus {
        if usedAt != nil { return .linked }
        if supersededAt != nil { return .superseded }
        return expiresAt <= now ? .expired : .pending
    }
}

/// What a link page shows about a token before the user confirms it: never the id of the server or user
/// it links (a server's name, when the bot gave one, is for the page to show).
public struct LinkTokenInfo: Sendable, Equatable {
    public let type: LinkType
    public let platform: String
    /// The server's name, when the bot that issued the token gave it.
    public let serverName: String?
    public let status: LinkTokenStatus
    public let expiresAt: Timestamp
}

/// Where a link token stands.
public enum LinkTokenStatus: String, Sendable {
    case pending
    /// Used: its link exists (or existed).
    case linked
    case expired
    /// A newer token for the same server or user replaced it before it was used.
    case superseded
}
