import Foundation
import Queue

/// What a provider's payload turned out to be.
public enum Normalised: Sendable, Equatable {
    /// A chat message to answer.
    case message(InboundEvent)
    /// Nothing to do: the bot's own message, a join, an edit Switchboard does not handle. Not an error.
    case ignored(reason: String)
    /// A subscription check (Slack's and Feishu's `url_verification`) that must be answered with `challenge`.
    case verification(challenge: String)
}
