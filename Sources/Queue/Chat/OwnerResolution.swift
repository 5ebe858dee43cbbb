import Foundation
import Queue

/// Which account owns an inbound message, and through what.
public enum OwnerResolution: Sendable, Equatable {
    case serverLink(account: String)
    case userLink(account: String)
    case channelConnection(account: String)
    case unlinked

    public var account: String? {
        switch self {
        case .serverLink(let account), .userLink(let account), .channelConnection(let account): account
        case .unlinked: nil
        }
    }
}
