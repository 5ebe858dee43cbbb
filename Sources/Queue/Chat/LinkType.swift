import Foundation
import Queue

/// A server or user link type: a SERVER link makes an account own a whole server (Discord guild,
/// Telegram group, Slack workspace ...); a USER link routes one person's direct messages to an account.
public enum LinkType: String, Sendable, CaseIterable {
    case server
    case user
}

extension LinkType {
    /// A link type as stored.
    /// - Throws: `QueueError.corrupt` when the database holds something else.
    init(stored: String) throws {
        guard let type = LinkType(rawValue: stored) else {
            throw QueueError(.corrupt, "a stored link type is \"\(stored.prefix(16))\", not server or user")
        }
        self = type
    }
}
