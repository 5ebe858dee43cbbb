import Enqueuer
import HTTPClient
import JSON

/// Telegram's `sendChatAction` with `typing`, which lasts about 5 s: sent every 4 s, in the chat's topic
/// where it has one.
struct TelegramTyping: ProviderTyping {
    func requests(
        for target: ReplyTarget, settings: ProviderSettings, ask: (HTTPRequest) async -> HTTPResponse?
    ) async -> TypingRequests? {
        var body = JSONObject(["chat_id": .string(target.chat), "action": .string("typing")])
        if let thread = target.thread, let topic = Int64(thread) {
            body.set("message_thread_id", .integer(topic))
        }
        return TypingRequests(
            request: .json(
                settings.url(.telegramTyping, settings.credential("bot_token")), JSONValue.object(body).serialized),
            interval: .seconds(4))
    }
}
