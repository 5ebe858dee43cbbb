import Enqueuer
import Foundation
import HTTPClient
import JSON

/// WeCom: `POST {base}/cgi-bin/appchat/send` to a group chat, or `/cgi-bin/message/send` to one user,
/// with an access token from `/cgi-bin/gettoken` in the query.
struct WeComClient: HTTPProviderClient {
    var edits: Bool { false }

    let context: ClientContext
    let tokens: AccessTokenCache

    private static let tokenErrors: Set<Int64> = [40014, 42001]
    private static let rateLimited: Set<Int64> = [45009, 45033]
    private static let transient: Set<Int64> = [-1]

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        let token = try await context.token(tokens, fetch: fetchToken)
        let text = JSONValue.object(JSONObject(["content": .string(message.text)]))
        let route: ProviderRoute
        var body = JSONObject(["msgtype": .string("text"), "text": text])
        if let user = message.target.user {
            route = .wecomDirect
            body.set("touser", .string(user))
            body.set(
                "agentid",
                Int64(context.settings.credential("agent_id")).map(JSONValue.integer)
                    ?? .string(context.settings.credential("agent_id")))
        } else {
            route = .wecomGroup
            body.set("chatid", .string(message.target.chat))
        }
        let url = context.settings.url(route, query: "access_token=\(token)")
        let response = try await context.send(.json(url, JSONValue.object(body).serialized))
        let bucket = RateBuckets.of(message).chat.key
        guard let answer = ClientContext.object(response.body), let code = answer["errcode"]?.integerValue else {
            return context.byStatus(response, to: message, bucket: bucket, provider: "wecom")
        }
        switch code {
        case 0:
            return .delivered(messageID: nil)
        case let code where Self.rateLimited.contains(code):
            return .slowDown(after: .seconds(60), bucket: bucket)
        case let code where Self.tokenErrors.contains(code):
            await tokens.invalidate()
            return .retry("wecom: access token refused (\(code))")
        case let code where Self.transient.contains(code):
            return .retry("wecom: system busy (\(code))")
        default:
            return .reject(
                "wecom \(code): " + context.describe(answer["errmsg"]?.stringValue ?? "", answering: message))
        }
    }

    private func fetchToken() async throws -> (String, Duration) {
        let corp =
            context.settings.credential("corp_id").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let secret =
            context.settings.credential("corp_secret").addingPercentEncoding(withAllowedCharacters: .alphanumerics)
            ?? ""
        let response = try await context.http.send(
            HTTPRequest(.get, context.settings.url(.wecomToken, query: "corpid=\(corp)&corpsecret=\(secret)"))
        )
        guard let answer = ClientContext.object(response.body), answer["errcode"]?.integerValue == 0,
            let token = answer["access_token"]?.stringValue
        else {
            throw TokenFetchError(description: "gettoken answered HTTP \(response.status)")
        }
        return (token, .seconds(answer["expires_in"]?.integerValue ?? 7200))
    }
}
