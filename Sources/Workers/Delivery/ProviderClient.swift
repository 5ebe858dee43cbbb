import Enqueuer
import Foundation
import Queue

/// Sends one outbound message to one provider.
public protocol ProviderClient: Sendable {
    /// Sends `message`, or replaces the text of the message it names in `replacing` where `edits`.
    func send(_ message: OutboundMessage) async -> SendOutcome
    /// Whether the provider can replace the text of a message sent before.
    var edits: Bool { get }
    /// Whether a message sent to `target` can be edited (some providers edit only some chats' messages).
    func edits(to target: ReplyTarget) -> Bool
    /// How many times one message may be edited, where the provider limits it.
    var editsPerMessage: Int? { get }
}

extension ProviderClient {
    public var editsPerMessage: Int? { nil }

    public func edits(to target: ReplyTarget) -> Bool { edits }
}
/// A provider client over HTTP: `deliver` throws a `SendFailure` when no answer could be had (transport,
/// token), and `send` turns it into the outcome, so each client reads only its provider's answers.
protocol HTTPProviderClient: ProviderClient {
    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome
}
extension HTTPProviderClient {
    func send(_ message: OutboundMessage) async -> SendOutcome {
        do {
            return try await deliver(message)
        } catch {
            return error.outcome
        }
    }
}
/// A send that ended before an answer could be classified.
struct SendFailure: Error {
    let outcome: SendOutcome
}
