import Enqueuer
import Foundation
import JSON

/// Shows a chat that the bot is working while a turn's agent runs: Telegram's `sendChatAction`
/// (`typing`, which lasts about 5 s) and Discord's typing route (about 10 s), sent again before it lapses
/// and stopped when the agent has answered, before any reply is sent. Providers without an equivalent
/// get nothing.
///
/// Best effort: a typing call that fails or is told to slow down is dropped; it never fails, delays or
/// retries the turn, and never takes the chat's pacing slot, which the replies need.
struct TypingIndicator: Sendable {
    let configuration: ChatConfiguration
    let http: HTTPClient

    /// Runs `work` while the chat of `event` shows the bot typing.
    func whileWorking<T>(in event: InboundEvent, _ work: () async throws -> T) async rethrows -> T {
        let typing = start(in: event)
        defer { typing?.cancel() }
        return try await work()
    }

    private func start(in event: InboundEvent) -> Task<Void, Never>? {
        guard configuration.outbound == .providers, let (request, interval) = typingRequest(event) else { return nil }
        let http = self.http
        return Task {
            while !Task.isCancelled {
                _ = try? await http.send(request)
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// The provider's typing request for the event's chat, and how often it must be repeated.
    private func typingRequest(_ event: InboundEvent) -> (HTTPRequest, Duration)? {
        let settings = configuration.settings(for: event.provider)
        let target = event.replyTarget
        var request: HTTPRequest
        let interval: Duration
        switch event.provider {
        case .telegram:
            var body = JSONObject(["chat_id": .string(target.chat), "action": .string("typing")])
            if let thread = target.thread, let topic = Int64(thread) {
                body.set("message_thread_id", .integer(topic))
            }
            request = HTTPRequest.json(
                settings.url(.telegramTyping, settings.credential("bot_token")), JSONValue.object(body).serialized)
            interval = .seconds(4)
        case .discord:
            request = HTTPRequest(
                .post, settings.url(.discordTyping, target.chat),
                headers: [
                    ("Authorization", "Bot \(settings.credential("bot_token"))"),
                    ("User-Agent", DiscordClient.userAgent),
                ])
            interval = .seconds(8)
        case .slack, .feishu, .dingtalk, .wecom, .wechat:
            return nil
        }
        request.connectTimeout = configuration.connectTimeout
        request.totalTimeout = min(configuration.requestTimeout, interval)
        return (request, interval)
    }
}
