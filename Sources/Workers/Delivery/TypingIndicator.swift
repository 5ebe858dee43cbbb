import Enqueuer
import Foundation
import HTTPClient

/// Shows a chat that the bot is working while a turn's agent runs, by its provider's typing requests
/// (`ProviderTyping`), sent again before they lapse and stopped when the first text is sent (by a live
/// reply) or the agent has answered, before any reply is sent. Providers without a typing indicator get
/// nothing.
///
/// Best effort: a typing call that fails or is told to slow down is dropped; it never fails, delays or
/// retries the turn, and never takes the chat's pacing slot, which the replies need.
struct TypingIndicator: Sendable {
    let configuration: ChatConfiguration
    let http: HTTPClient

    /// Shows the bot typing in the chat of `event` until the task returned is cancelled (nil where the
    /// provider has no typing indicator for the chat).
    func start(in event: InboundEvent) -> Task<Void, Never>? {
        guard configuration.outbound == .providers, let style = event.provider.api.typing.part,
            style.shows(event.replyTarget)
        else { return nil }
        let http = self.http
        return Task {
            guard let typing = await typingRequests(event, style) else { return }
            while !Task.isCancelled {
                _ = try? await http.send(typing.request)
                try? await Task.sleep(for: typing.interval)
            }
            if let clear = typing.clear {
                // Cancelled: a request of its own, outside the cancelled task's cancellation.
                Task.detached { _ = try? await http.send(clear) }
            }
        }
    }

    /// The provider's typing requests for the event's chat, with the configured timeouts (no longer than
    /// the interval they are sent at); nil when they cannot be had (WeChat's ticket).
    private func typingRequests(_ event: InboundEvent, _ style: any ProviderTyping) async -> TypingRequests? {
        let ask = { (request: HTTPRequest) async -> HTTPResponse? in
            var request = request
            request.connectTimeout = configuration.connectTimeout
            request.totalTimeout = configuration.requestTimeout
            return try? await http.send(request)
        }
        guard
            var typing = await style.requests(
                for: event.replyTarget, settings: configuration.settings(for: event.provider), ask: ask)
        else { return nil }
        let timeout = min(configuration.requestTimeout, typing.interval)
        typing.request.connectTimeout = configuration.connectTimeout
        typing.request.totalTimeout = timeout
        typing.clear?.connectTimeout = configuration.connectTimeout
        typing.clear?.totalTimeout = timeout
        return typing
    }
}
