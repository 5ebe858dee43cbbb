import ChatStore
import Enqueuer
import Foundation
import Queue

/// How received messages are enqueued, as `intake`, `serve` and `poll` take it on the command line.
struct IntakeFlags {
    static let queue = Option<String>.text("queue", "Q", "the queue chat jobs go to (default chat)")
    static let dedupeTTL = Option<Duration>.duration(
        "dedupe-ttl", "SECONDS", Bounds.dedupeTTL, "how long a message's dedupe key holds (default 86400)"
    )
    static let historyKept = Option<Int>.integer(
        "history-keep", "N", Bounds.historyKept,
        "messages kept per conversation, older ones pruned (default: config, else 200)"
    )

    static let specs = [Self.queue.spec, Self.dedupeTTL.spec, Self.historyKept.spec]

    private var options = IntakeOptions()
    private let historyKept: Int?

    init(_ arguments: Arguments) throws {
        options.queue = try arguments.value(Self.queue) ?? options.queue
        options.dedupeTimeToLive = try arguments.value(Self.dedupeTTL) ?? options.dedupeTimeToLive
        do {
            try options.validate()
        } catch let error as QueueError {
            throw CommandFailure.usage("--\(error.message.replacing("_", with: "-"))")
        }
        historyKept = try arguments.value(Self.historyKept)
    }

    /// The options, keeping `historyKept` messages per conversation unless `--history-keep` says otherwise.
    func options(historyKept configured: Int = ConversationMessage.defaultKept) -> IntakeOptions {
        var options = self.options
        options.historyKept = historyKept ?? configured
        return options
    }
}
