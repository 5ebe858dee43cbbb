import Foundation
import Queue

/// Each provider's webhook authenticity check (its `WebhookCheck`), with the secrets the configuration holds.
///
/// Telegram compares a secret header; Slack and DingTalk check an HMAC over a timestamp (and refuse one
/// outside their window, against replays); Feishu checks its verification token and, with an encrypt key,
/// its signature, and decrypts; WeCom checks a SHA-1 signature and decrypts, and answers its URL
/// verification. Secrets are compared in constant time. A provider without its secret is `notConfigured`.
public struct WebhookGate: Sendable {
    /// Each provider's settings by name (`secret_token`, `signing_secret`, `app_secret`, `token`, ...).
    public let secrets: [Provider: [String: String]]

    public init(secrets: [Provider: [String: String]]) {
        self.secrets = secrets
    }

    /// The providers with a webhook route: those with a webhook check.
    public static let providers: [Provider] = Provider.allCases.filter { $0.inbound.webhook.part != nil }

    /// Whether `serve` takes `method` on `provider`'s webhook route: `POST` where the provider has a webhook
    /// check, and `GET` too where the check answers the provider's URL verification (WeCom).
    public static func accepts(_ method: String, for provider: Provider) -> Bool {
        guard let check = provider.inbound.webhook.part else { return false }
        return method == "POST" || (method == "GET" && check.answersGET)
    }

    /// Checks a webhook of `provider` that arrived at `now`, by the provider's own check.
    public func check(_ provider: Provider, _ request: WebhookRequest, now: Timestamp) -> WebhookVerdict {
        guard let check = provider.inbound.webhook.part else { return .notConfigured }
        return check.check(request, secrets: WebhookSecrets(secrets[provider] ?? [:]), now: now)
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
