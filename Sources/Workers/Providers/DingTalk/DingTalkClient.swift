import Enqueuer
import Foundation
import HTTPClient
import JSON

/// DingTalk robot: `POST {base}/v1.0/robot/oToMessages/batchSend` for a direct message, or
/// `.../groupMessages/send` for a group, with an access token from `/v1.0/oauth2/accessToken`.
struct DingTalkClient: HTTPProviderClient {
    var edits: Bool { false }

    let context: ClientContext
    let tokens: AccessTokenCache

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        let token = try await context.token(tokens, fetch: fetchToken)
        let parameters = JSONValue.object(JSONObject(["content": .string(message.text)])).serialized
        var body = JSONObject([
            "robotCode": .string(message.target.bot ?? context.settings.credential("app_key")),
            "msgKey": .string("sampleText"),
            "msgParam": .string(String(decoding: parameters, as: UTF8.self)),
        ])
        let route: ProviderRoute
        if let user = message.target.user {
            route = .dingtalkDirect
            body.set("userIds", .array([.string(user)]))
        } else {
            route = .dingtalkGroup
            body.set("openConversationId", .string(message.target.chat))
        }
        let response = try await context.send(
            .json(
                context.settings.url(route), JSONValue.object(body).serialized,
                headers: [("x-acs-dingtalk-access-token", token)]
            ))
        let bucket = RateBuckets.of(message).chat.key
        let code = ClientContext.object(response.body)?["code"]?.stringValue
        if code == "Throttling" || code?.hasPrefix("Throttling") == true {
            return .slowDown(after: .providerWait(response.retryAfterSeconds, otherwise: .seconds(60)), bucket: bucket)
        }
        if response.status == 401 || code == "InvalidAuthentication" {
            await tokens.invalidate()
        }
        return context.byStatus(response, to: message, bucket: bucket, provider: "dingtalk")
    }

    func fetchToken() async throws -> (String, Duration) {
        let body = JSONValue.object(
            JSONObject([
                "appKey": .string(context.settings.credential("app_key")),
                "appSecret": .string(context.settings.credential("app_secret")),
            ])
        ).serialized
        let response = try await context.http.send(.json(context.settings.url(.dingtalkToken), body))
        guard let answer = ClientContext.object(response.body), let token = answer["accessToken"]?.stringValue else {
            throw TokenFetchError(description: "accessToken answered HTTP \(response.status)")
        }
        return (token, .seconds(answer["expireIn"]?.integerValue ?? 7200))
    }
}
