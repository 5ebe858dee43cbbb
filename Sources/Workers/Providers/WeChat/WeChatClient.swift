import Enqueuer
import Foundation
import HTTPClient
import JSON

/// WeChat through iLink: `POST {base}/ilink/bot/sendmessage`, answering in the context of the inbound
/// message (its `context_token`), with the chunk's nonce as `client_id`.
struct WeChatClient: HTTPProviderClient {
    var edits: Bool { false }

    let context: ClientContext

    /// iLink's code for an expired bot token.
    static let tokenExpired: Int64 = -14

    /// The `base_info` every iLink request carries.
    static let baseInfo = JSONValue.object(JSONObject(["channel_version": .string("1.0")]))

    /// The headers every iLink request carries: the bot token.
    static func headers(_ settings: ProviderSettings) -> [(name: String, value: String)] {
        [("Authorization", "Bearer \(settings.credential("bot_token"))"), ("AuthorizationType", "ilink_bot_token")]
    }

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        guard let contextToken = message.target.context else {
            return .reject("wechat: the inbound message carried no context_token to reply with")
        }
        let item = JSONValue.object(
            JSONObject(["type": .integer(1), "text_item": .object(JSONObject(["text": .string(message.text)]))]))
        let body = JSONValue.object(
            JSONObject([
                "msg": .object(
                    JSONObject([
                        "from_user_id": .string(""), "to_user_id": .string(message.target.chat),
                        "client_id": .string(message.nonce),
                        "message_type": .integer(2), "message_state": .integer(2),
                        "context_token": .string(contextToken),
                        "item_list": .array([item]),
                    ])),
                "base_info": Self.baseInfo,
            ]))
        let request = HTTPRequest.json(
            context.settings.url(.wechatSend), body.serialized, headers: Self.headers(context.settings))
        let response = try await context.send(request)
        let bucket = RateBuckets.of(message).chat.key
        guard response.status == 200, let answer = ClientContext.object(response.body) else {
            return context.byStatus(response, to: message, bucket: bucket, provider: "wechat")
        }
        let ret = answer["ret"]?.integerValue ?? 0
        if ret == 0 {
            return .delivered(messageID: nil)
        }
        if answer["errcode"]?.integerValue == Self.tokenExpired {
            return .reject("wechat: bot token expired; scan again or update bot_token")
        }
        return .retry("wechat ret \(ret): " + context.describe(answer["errmsg"]?.stringValue ?? "", answering: message))
    }
}
