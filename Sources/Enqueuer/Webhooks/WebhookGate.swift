import Foundation
import Queue

/// Each provider's webhook authenticity check, with the secrets the configuration holds.
///
/// Telegram compares a secret header; Slack and DingTalk check an HMAC over a timestamp (and refuse one
/// outside their window, against replays); Feishu checks its verification token and, with an encrypt key,
/// its signature, and decrypts; WeCom checks a SHA-1 signature and decrypts, and answers its URL
/// verification. Secrets are compared in constant time. A provider without its secret is `notConfigured`.
public struct WebhookGate: Sendable {
    /// Each provider's settings by name (`secret_token`, `signing_secret`, `app_secret`, `token`, ...).
    public let secrets: [Provider: [String: String]]

    /// Slack's window for a request's timestamp, in seconds.
    static let slackWindow = ReplayWindow(width: 300)
    /// DingTalk's window for a request's timestamp, in milliseconds.
    static let dingTalkWindow = ReplayWindow(width: 3_600_000)

    public init(secrets: [Provider: [String: String]]) {
        self.secrets = secrets
    }

    /// The providers with a webhook route.
    public static let providers: [Provider] = [.telegram, .slack, .feishu, .dingtalk, .wecom]

    /// Checks a webhook of `provider` that arrived at `now`.
    public func check(_ provider: Provider, _ request: WebhookRequest, now: Timestamp) -> WebhookVerdict {
        let settings = secrets[provider] ?? [:]
        let secret = { (name: String) in settings[name].flatMap { $0.isEmpty ? nil : $0 } }
        switch provider {
        case .telegram:
            guard let token = secret("secret_token") else { return .notConfigured }
            return TelegramWebhook.check(request, secretToken: token)
        case .slack:
            guard let signingSecret = secret("signing_secret") else { return .notConfigured }
            return SlackWebhook.check(request, signingSecret: signingSecret, now: now)
        case .dingtalk:
            guard let appSecret = secret("app_secret") else { return .notConfigured }
            return DingTalkWebhook.check(request, appSecret: appSecret, now: now)
        case .feishu:
            guard let token = secret("verification_token") else { return .notConfigured }
            return FeishuWebhook.check(request, verificationToken: token, encryptKey: secret("encrypt_key"))
        case .wecom:
            guard let token = secret("token"), let key = secret("encoding_aes_key") else { return .notConfigured }
            return WeComWebhook.check(request, token: token, encodingAESKey: key, corpID: secret("corp_id"))
        case .discord, .wechat:
            return .notConfigured
        }
    }

    /// Whether `key` can be a WeCom `EncodingAESKey` (43 characters of Base64 standing for 32 bytes): one
    /// that cannot would make every WeCom request fail its check, so the configuration refuses it.
    public static func isWeComKey(_ key: String) -> Bool {
        WeComWebhook.aesKey(key) != nil
    }

    /// Checks `Authorization: Bearer TOKEN` against the intake token, for forwarders that are not webhooks.
    public static func checkBearer(_ request: WebhookRequest, token: String?) -> WebhookVerdict {
        guard let token, !token.isEmpty else { return .notConfigured }
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer "),
            WebhookCrypto.equal(Data(header.dropFirst(7).utf8), Data(token.utf8))
        else { return .refuse }
        return .deliver(request.body)
    }
}
