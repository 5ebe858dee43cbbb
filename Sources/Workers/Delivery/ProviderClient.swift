import Enqueuer
import Foundation
import Queue

/// Sends one outbound message to one provider.
public protocol ProviderClient: Sendable {
    /// Sends `message`, or replaces the text of the message it names in `replacing` where `edits`. A
    /// message with a file has its bytes (`file.data`) and, where the provider needed one, what `upload`
    /// returned (`file.uploaded`).
    func send(_ message: OutboundMessage) async -> SendOutcome
    /// Uploads the file of `message` where the provider takes files apart from the message that shows
    /// them, and returns what that message names the file by (a key, a media id). The delivery job keeps
    /// it, so an attempt after a crash sends what was uploaded instead of uploading again.
    func upload(_ message: OutboundMessage) async -> UploadOutcome
    /// Whether the provider can replace the text of a message sent before.
    var edits: Bool { get }
    /// Whether a message sent to `target` can be edited (some providers edit only some chats' messages).
    func edits(to target: ReplyTarget) -> Bool
    /// How many times one message may be edited, where the provider limits it.
    var editsPerMessage: Int? { get }
}

extension ProviderClient {
    public var editsPerMessage: Int? { nil }

    public func upload(_ message: OutboundMessage) async -> UploadOutcome { .notNeeded }

    public func edits(to target: ReplyTarget) -> Bool { edits }
}
/// What uploading a file came to.
public enum UploadOutcome: Sendable, Equatable {
    /// Uploaded: what the message that shows it names it by.
    case uploaded(String)
    /// The provider takes the file with the message itself.
    case notNeeded
    /// Not uploaded: what to do about it, as for a send.
    case failed(SendOutcome)
}

/// A provider client over HTTP: `deliver` (and `uploadFile`, for providers that take files apart from the
/// message) throws a `SendFailure` carrying the outcome when it ends early (no answer could be had, a
/// token, an answer that is not a success), and `send` turns it into the outcome, so each client reads
/// only its provider's answers.
protocol HTTPProviderClient: ProviderClient {
    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome
    /// Uploads the file of `message`, returning what a message names it by; nil where the provider takes
    /// the file with the message.
    func uploadFile(_ message: OutboundMessage) async throws(SendFailure) -> String?
}
extension HTTPProviderClient {
    func send(_ message: OutboundMessage) async -> SendOutcome {
        do {
            return try await deliver(message)
        } catch {
            return error.outcome
        }
    }

    func upload(_ message: OutboundMessage) async -> UploadOutcome {
        do {
            return try await uploadFile(message).map(UploadOutcome.uploaded) ?? .notNeeded
        } catch {
            return .failed(error.outcome)
        }
    }

    func uploadFile(_ message: OutboundMessage) async throws(SendFailure) -> String? { nil }
}
/// A send that ended before an answer could be classified.
struct SendFailure: Error {
    let outcome: SendOutcome
}
