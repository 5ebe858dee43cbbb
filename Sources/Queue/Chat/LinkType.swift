import Foundation

/// A server or user link type: a SERVER link makes an account own a whole server (Discord guild,
/// Telegram group, Slack workspace ...); a USER link routes one person's direct messages to an account.
public enum LinkType: String, Sendable, CaseIterable {
    case server
    case user
}
