import Enqueuer
import Foundation
import HTTPClient
import JSON

/// WeChat (iLink)'s `getupdates`: the cursor is the opaque `get_updates_buf` it answers with, sent back
/// on the next poll; iLink holds a poll open for about 35 seconds when nothing arrives.
public struct WeChatUpdates: UpdateSource {
    public let provider = Provider.wechat
    public let name: String
    private let settings: ProviderSettings
    private let http: HTTPClient
    private let timeout: Duration

    public init(settings: ProviderSettings, http: HTTPClient, timeout: Duration) {
        self.settings = settings
        self.http = http
        self.timeout = timeout
        name = "wechat:" + Self.fingerprint(settings.credential("bot_token"))
    }

    public func fetch(after cursor: String?) async throws(PollError) -> UpdatePage {
        let body = JSONValue.object(
            JSONObject(["get_updates_buf": .string(cursor ?? ""), "base_info": WeChatClient.baseInfo]))
        var request = HTTPRequest.json(
            settings.url(.wechatUpdates), body.serialized, headers: WeChatClient.headers(settings))
        request.totalTimeout = timeout + .seconds(15)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw .transient("wechat getupdates: \(error)")
        }
        guard response.status == 200, case .object(let answer)? = try? JSONParser.parse(response.body) else {
            throw .transient("wechat getupdates answered HTTP \(response.status)")
        }
        if answer["errcode"]?.integerValue == WeChatClient.tokenExpired {
            throw .fatal("WeChat's bot token has expired: log the bot in again and update providers.wechat.bot_token")
        }
        let ret = answer["ret"]?.integerValue ?? 0
        guard ret == 0 else {
            throw .transient("wechat getupdates ret \(ret): \(answer["errmsg"]?.stringValue ?? "")")
        }
        let messages = answer["msgs"]?.arrayValue ?? []
        let next = answer["get_updates_buf"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? cursor ?? ""
        return UpdatePage(bodies: messages.map(\.serialized), next: next)
    }

    /// The first 8 bytes of the token's SHA-256, in hex: names the bot without revealing its token.
    private static func fingerprint(_ token: String) -> String {
        WebhookCrypto.hex(WebhookCrypto.sha256(Data(token.utf8)).prefix(8))
    }
}
