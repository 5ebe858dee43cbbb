import Foundation
import Queue

/// A link token, shown once; only its digest is kept.
public struct LinkToken: Sendable {
    public var token: String
    public var expiresAt: Timestamp
}
/// What is stored of a link token's life, from which its status follows.
package struct LinkTokenTimes: Sendable {
    package var usedAt: Timestamp?
    package var supersededAt: Timestamp?
    package var expiresAt: Timestamp

    package init(usedAt: Timestamp?, supersededAt: Timestamp?, expiresAt: Timestamp) {
        self.usedAt = usedAt
        self.supersededAt = supersededAt
        self.expiresAt = expiresAt
    }

    /// Where the token stands at `now`: used first, then superseded, then expired.
    func status(at now: Timestamp) -> LinkTokenStatus {
        if usedAt != nil { return .linked }
        if supersededAt != nil { return .superseded }
        return expiresAt <= now ? .expired : .pending
    }
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
