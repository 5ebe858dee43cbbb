import Enqueuer
import Foundation
import Queue

/// How a send went, in the terms the job layer acts on.
public enum SendOutcome: Sendable, Equatable {
    /// Sent (or edited); with the provider's id of the message where its answer names one.
    case delivered(messageID: String?)
    /// The provider asked to wait: snooze for `after` (no attempt spent) and hold `bucket` meanwhile.
    case slowDown(after: Duration, bucket: String)
    /// A failure that may pass (5xx, timeout, dropped connection): retry with backoff.
    case retry(String)
    /// A failure that cannot succeed on retry (401/403, revoked token, unknown chat, invalid request):
    /// dead-letter at once, so the bot does not keep sending invalid requests.
    case reject(String)
}

extension SendOutcome {
    /// The worker event that counts this outcome of a send to `provider` (`send telegram delivered`), as
    /// `serve`'s metrics read it.
    func event(sending provider: Provider) -> String {
        let name =
            switch self {
            case .delivered: "delivered"
            case .slowDown: "held"
            case .retry: "retried"
            case .reject: "rejected"
            }
        return "send \(provider.rawValue) \(name)"
    }
}
