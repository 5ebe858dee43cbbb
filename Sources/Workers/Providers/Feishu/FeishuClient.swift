import Enqueuer
import Foundation
import HTTPClient
import JSON

/// Feishu / Lark: the first chunk replies to the inbound message (`/im/v1/messages/{id}/reply`), later
/// chunks post to the chat (`/im/v1/messages?receive_id_type=chat_id`), with a tenant access token
/// fetched from the app's id and secret and cached until shortly before it expires. An edit is a `PUT`
/// of `/im/v1/messages/{id}` (Feishu allows 20 edits of one message).
struct FeishuClient: HTTPProviderClient {
    let context: ClientContext
    let tokens: AccessTokenCache

    var edits: Bool { true }
    var editsPerMessage: Int? { 20 }

    /// Codes that mean the token is no longer valid: fetch a new one and retry.
    private static let tokenCodes: Set<Int64> = [99_991_661, 99_991_663, 99_991_668]
    private static let rateLimited: Int64 = 99_991_400

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        let token = try await context.token(tokens, fetch: fetchToken)
        let content = JSONValue.object(JSONObject(["text": .string(message.text)])).serialized
        var body = JSONObject([
            "msg_type": .string("text"), "content": .string(String(decoding: content, as: UTF8.self)),
        ])
        var method = HTTPRequest.Method.post
        let url: String
        if let replacing = message.replacing {
            url = context.settings.url(.feishuMessage, replacing)
            method = .put
        } else if let replyTo = message.repliesToMessage {
            url = context.settings.url(.feishuReply, replyTo)
        } else {
            url = context.settings.url(.feishuSend, query: "receive_id_type=chat_id")
            body.set("receive_id", .string(message.target.chat))
        }
        var request = HTTPRequest.json(
            url, JSONValue.object(body).serialized, headers: [("Authorization", "Bearer \(token)")])
        request.method = method
        let response = try await context.send(request)
        let bucket = RateBuckets.of(message).chat.key
        guard let answer = ClientContext.object(response.body), let code = answer["code"]?.integerValue else {
            return context.byStatus(response, to: message, bucket: bucket, provider: "feishu")
        }
        switch code {
        case 0:
            let data = answer["data"]?.objectValue
            return .delivered(messageID: data?["message_id"]?.stringValue ?? message.replacing)
        case Self.rateLimited:
            return .slowDown(after: .providerWait(response.retryAfterSeconds), bucket: bucket)
        case let code where Self.tokenCodes.contains(code):
            await tokens.invalidate()
            return .retry("feishu: tenant token refused (\(code))")
        default:
            let reason = "feishu \(code): " + context.describe(answer["msg"]?.stringValue ?? "", answering: message)
            return response.status >= 500 ? .retry(reason) : .reject(reason)
        }
    }

    func fetchToken() async throws -> (String, Duration) {
        let body = JSONValue.object(
            JSONObject([
                "app_id": .string(context.settings.credential("app_id")),
                "app_secret": .string(context.settings.credential("app_secret")),
            ])
        ).serialized
        let response = try await context.http.send(
            .json(context.settings.url(.feishuToken), body)
        )
        guard let answer = ClientContext.object(response.body), answer["code"]?.integerValue == 0,
            let token = answer["tenant_access_token"]?.stringValue
        else {
            throw TokenFetchError(description: "tenant_access_token answered HTTP \(response.status)")
        }
        return (token, .seconds(answer["expire"]?.integerValue ?? 7200))
    }
}
