import Foundation
import Queue

/// A link token, shown once; only its digest is kept.
public struct LinkToken: Sendable {
    public var token: String
    public var expiresAt: Timestamp
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
