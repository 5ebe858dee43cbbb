import Enqueuer
import HTTPClient

/// How one provider shows a chat that the bot is working: the requests `TypingIndicator` sends while a
/// turn's agent runs.
package protocol ProviderTyping: Sendable {
    /// Whether the chat `target` names can be shown typing (Slack's status needs a thread, WeChat's a
    /// context token).
    func shows(_ target: ReplyTarget) -> Bool
    /// The requests that show the chat of `target` typing; nil when they cannot be had. `ask` sends a
    /// request whose answer they need first (WeChat's typing ticket), and is nil when it fails.
    func requests(
        for target: ReplyTarget, settings: ProviderSettings, ask: (HTTPRequest) async -> HTTPResponse?
    ) async -> TypingRequests?
}

extension ProviderTyping {
    package func shows(_ target: ReplyTarget) -> Bool { true }
}

/// The requests that show a chat typing: one sent every `interval` while the agent works, and one that
/// clears it where it does not lapse by itself soon.
package struct TypingRequests: Sendable {
    var request: HTTPRequest
    var interval: Duration
    var clear: HTTPRequest?
}
