import Enqueuer
import Foundation
import JSON

/// Shows a chat that the bot is working while a turn's agent runs: Telegram's `sendChatAction`
/// (`typing`, which lasts about 5 s), Discord's typing route (about 10 s) and Slack's assistant-thread
/// status (`assistant.threads.setStatus`, which lapses after two minutes or at the bot's next message;
/// cleared here too as the agent answers, beside the reply), sent again before it lapses and stopped when
/// the first text is sent (by a live reply) or the agent has answered, before any reply is sent.
/// Providers without an equivalent get nothing.
///
/// Best effort: a typing call that fails or is told to slow down is dropped; it never fails, delays or
/// retries the turn, and never takes the chat's pacing slot, which the replies need.
struct TypingIndicator: Sendable {
    let configuration: ChatConfiguration
    let http: HTTPClient

    /// Shows the bot typing in the chat of `event` until the task returned is cancelled (nil where the
    /// provider has no typing indicator).
    func start(in event: InboundEvent) -> Task<Void, Never>? {
        guard configuration.outbound == .providers, let typing = typingRequests(event) else { return nil }
        let http = self.http
        return Task {
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

    /// The provider's typing request for the event's chat, how often it must be repeated, and the
    /// request that clears it where it does not lapse by itself soon.
    private func typingRequests(_ event: InboundEvent) -> (
        request: HTTPRequest, interval: Duration, clear: HTTPRequest?
    )? {
        let settings = configuration.settings(for: event.provider)
        let target = event.replyTarget
        var request: HTTPRequest
        var clear: HTTPRequest?
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
        case .slack:
            guard let thread = target.thread ?? target.message else { return nil }
            let status = { (text: String) in
                var request = HTTPRequest.json(
                    settings.url(.slackThreadStatus),
                    JSONValue.object(
                        JSONObject([
                            "channel_id": .string(target.chat), "thread_ts": .string(thread), "status": .string(text),
                        ])
                    ).serialized, headers: [("Authorization", "Bearer \(settings.credential("bot_token"))")])
                request.connectTimeout = configuration.connectTimeout
                request.totalTimeout = configuration.requestTimeout
                return request
            }
            request = status("is thinking…")
            clear = status("")
            interval = .seconds(90)
        case .feishu, .dingtalk, .wecom, .wechat:
            return nil
        }
        request.connectTimeout = configuration.connectTimeout
        request.totalTimeout = min(configuration.requestTimeout, interval)
        return (request, interval, clear)
    }
}
