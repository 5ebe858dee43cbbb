import ChatStore
import Foundation
import Queue

/// How inbound messages are enqueued.
public struct IntakeOptions: Sendable {
    /// The queue chat jobs go to.
    public var queue = "chat"
    /// How long a message's dedupe key holds: providers redeliver for minutes to a day.
    public var dedupeTimeToLive: Duration = .seconds(24 * 3600)
    /// Attempts per chat job; nil takes the store's default.
    public var maxAttempts: Int?
    /// Messages kept per conversation: each message added prunes the oldest beyond this, a few at a time.
    public var historyKept = ConversationMessage.defaultKept

    public init() {}

    /// Checks the options before anything is written.
    /// - Throws: `QueueError.invalidArgument` naming the option.
    public func validate() throws {
        try NewJob.validateName(queue, field: "queue")
        if dedupeTimeToLive <= .zero {
            throw QueueError(.invalidArgument, "dedupe_ttl: must be positive")
        }
    }
}
