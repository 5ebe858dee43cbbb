import Foundation
import Queue

/// A server or user link type: a SERVER link makes an account own a whole server (Discord guild,
/// Telegram group, Slack workspace ...); a USER link routes one person's direct messages to an account.
public enum LinkType: String, Sendable, CaseIterable {
    case server
    case user
}

extension LinkType: StoredValue {
    package static let storedName = "link type"
}
