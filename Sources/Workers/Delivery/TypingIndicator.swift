import Enqueuer
import Foundation
import HTTPClient
import JSON

/// Shows a chat that the bot is working while a turn's agent runs: Telegram's `sendChatAction`
/// (`typing`, which lasts about 5 s), Discord's typing route (about 10 s), Slack's assistant-thread
/// status (`assistant.threads.setStatus`, which lapses after two minutes or at the bot's next message;
/// cleared here too) and WeChat's `sendtyping` (with the typing ticket `getconfig` gives for the user,
/// cancelled with status 2), sent again before it lapses and stopped when the first text is sent (by a
/// live reply) or the agent has answered, before any reply is sent. Providers without an equivalent get
/// nothing.
///
/// Best effort: a typing call that fails or is told to slow down is dropped; it never fails, delays or
/// retries the turn, and never takes the chat's pacing slot, which the replies need.
struct TypingIndicator: Sendable {
    let configuration: ChatConfiguration
    let http: HTTPClient

    /// The requests that show a chat typing: one sent every `interval` while the agent works, and one
    /// that clears it where it does not lapse by itself soon.
    private struct Typing: Sendable {
        var request: HTTPRequest
        var interval: Duration
        var clear: HTTPRequest?
    }

    /// Shows the bot typing in the chat of `event` until the task returned is cancelled (nil where the
    /// provider has no typing indicator).
    func start(in event: InboundEvent) -> Task<Void, Never>? {
        guard configuration.outbound == .providers, Self.shows(event) else { return nil }
        let http = self.http
        return Task {
            guard let typing = await typingRequests(event) else { return }
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

    /// Whether the event's provider has a typing indicator for its chat.
    private static func shows(_ event: InboundEvent) -> Bool {
        switch event.provider {
        case .telegram, .discord: true
        case .slack: event.replyTarget.thread ?? event.replyTarget.message != nil
        case .wechat: event.replyTarget.context != nil
        case .feishu, .dingtalk, .wecom: false
        }
    }

    /// The provider's typing requests for the event's chat; nil when they cannot be had (WeChat's ticket).
    private func typingRequests(_ event: InboundEvent) async -> Typing? {
        let settings = configuration.settings(for: event.provider)
        let target = event.replyTarget
        var typing: Typing
        switch event.provider {
        case .telegram:
            var body = JSONObject(["chat_id": .string(target.chat), "action": .string("typing")])
            if let thread = target.thread, let topic = Int64(thread) {
                body.set("message_thread_id", .integer(topic))
            }
            typing = Typing(
                request: .json(
                    settings.url(.telegramTyping, settings.credential("bot_token")),
                    JSONValue.object(body).serialized),
                interval: .seconds(4))
        case .discord:
            typing = Typing(
                request: HTTPRequest(
                    .post, settings.url(.discordTyping, target.chat), headers: DiscordClient.headers(settings)),
                interval: .seconds(8))
        case .slack:
            guard let thread = target.thread ?? target.message else { return nil }
            let status = { (text: String) in
                HTTPRequest.json(
                    settings.url(.slackThreadStatus),
                    JSONValue.object(
                        JSONObject([
                            "channel_id": .string(target.chat), "thread_ts": .string(thread), "status": .string(text),
                        ])
                    ).serialized, headers: SlackClient.headers(settings))
            }
            typing = Typing(request: status("is thinking…"), interval: .seconds(90), clear: status(""))
        case .wechat:
            guard let contextToken = target.context,
                let ticket = await weChatTypingTicket(for: target.chat, contextToken: contextToken, settings)
            else { return nil }
            let status = { (status: Int64) in
                HTTPRequest.json(
                    settings.url(.wechatTyping),
                    JSONValue.object(
                        JSONObject([
                            "ilink_user_id": .string(target.chat), "typing_ticket": .string(ticket),
                            "status": .integer(status), "base_info": WeChatClient.baseInfo,
                        ])
                    ).serialized, headers: WeChatClient.headers(settings))
            }
            typing = Typing(request: status(1), interval: .seconds(5), clear: status(2))
        case .feishu, .dingtalk, .wecom:
            return nil
        }
        let timeout = min(configuration.requestTimeout, typing.interval)
        typing.request.connectTimeout = configuration.connectTimeout
        typing.request.totalTimeout = timeout
        typing.clear?.connectTimeout = configuration.connectTimeout
        typing.clear?.totalTimeout = timeout
        return typing
    }

    /// WeChat's typing ticket for a user, from `getconfig`; nil when it cannot be had.
    private func weChatTypingTicket(for user: String, contextToken: String, _ settings: ProviderSettings) async
        -> String?
    {
        var request = HTTPRequest.json(
            settings.url(.wechatConfig),
            JSONValue.object(
                JSONObject([
                    "ilink_user_id": .string(user), "context_token": .string(contextToken),
                    "base_info": WeChatClient.baseInfo,
                ])
            ).serialized, headers: WeChatClient.headers(settings))
        request.connectTimeout = configuration.connectTimeout
        request.totalTimeout = configuration.requestTimeout
        guard let response = try? await http.send(request),
            case .object(let answer)? = try? JSONParser.parse(response.body),
            case .string(let ticket)? = answer["typing_ticket"], !ticket.isEmpty
        else { return nil }
        return ticket
    }
}
