import Enqueuer
import HTTPClient
import JSON

/// WeChat's `sendtyping` (status 1), sent every 5 s with the typing ticket `getconfig` gives for the user,
/// and cancelled with status 2. It needs the inbound message's context token.
struct WeChatTyping: ProviderTyping {
    func shows(_ target: ReplyTarget) -> Bool {
        target.context != nil
    }

    func requests(
        for target: ReplyTarget, settings: ProviderSettings, ask: (HTTPRequest) async -> HTTPResponse?
    ) async -> TypingRequests? {
        guard let contextToken = target.context,
            let ticket = await typingTicket(for: target.chat, contextToken: contextToken, settings, ask: ask)
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
        return TypingRequests(request: status(1), interval: .seconds(5), clear: status(2))
    }

    /// The user's typing ticket, from `getconfig`; nil when it cannot be had.
    private func typingTicket(
        for user: String, contextToken: String, _ settings: ProviderSettings,
        ask: (HTTPRequest) async -> HTTPResponse?
    ) async -> String? {
        let request = HTTPRequest.json(
            settings.url(.wechatConfig),
            JSONValue.object(
                JSONObject([
                    "ilink_user_id": .string(user), "context_token": .string(contextToken),
                    "base_info": WeChatClient.baseInfo,
                ])
            ).serialized, headers: WeChatClient.headers(settings))
        guard let response = await ask(request),
            case .object(let answer)? = try? JSONParser.parse(response.body),
            case .string(let ticket)? = answer["typing_ticket"], !ticket.isEmpty
        else { return nil }
        return ticket
    }
}
