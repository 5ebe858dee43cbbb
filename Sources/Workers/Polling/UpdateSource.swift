import Enqueuer
import Foundation
import HTTPClient

/// One answer of a provider's long poll: the updates after a cursor, and the cursor after them.
public struct UpdatePage: Sendable {
    /// Each update as its own JSON body, as a webhook would carry it.
    public var bodies: [Data]
    /// Where the next poll starts; the same cursor when nothing arrived.
    public var next: String
}

/// A provider's update stream read by long polling, for chats without a public URL.
public protocol UpdateSource: Sendable {
    /// A stream of the bot `settings` name, whose polls the provider may hold open for `timeout` when
    /// nothing arrives.
    init(settings: ProviderSettings, http: HTTPClient, timeout: Duration)
    var provider: Provider { get }
    /// Names the stream in the database: the provider and which bot, never a credential.
    var name: String { get }
    /// Waits up to the long-poll timeout for the updates after `cursor` (nil: from the provider's first
    /// unconfirmed one).
    func fetch(after cursor: String?) async throws(PollError) -> UpdatePage
}

/// Why a poll failed.
public struct PollError: Error, Sendable, CustomStringConvertible {
    /// Polling cannot go on until an operator acts (a webhook is set, the token was refused);
    /// otherwise the poll is tried again after a pause.
    public let isFatal: Bool
    public let description: String

    static func fatal(_ description: String) -> PollError {
        PollError(isFatal: true, description: description)
    }

    static func transient(_ description: String) -> PollError {
        PollError(isFatal: false, description: description)
    }
}
