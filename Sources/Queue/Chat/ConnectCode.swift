import Foundation
import Queue

/// A connect code, shown once to its owner; only its digest is kept.
public struct ConnectCode: Sendable {
    public var code: String
    public var expiresAt: Timestamp
}
