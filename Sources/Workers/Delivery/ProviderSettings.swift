import Enqueuer
import Foundation
import Queue

/// A provider's API address and credentials, from the configuration file or the environment.
public struct ProviderSettings: Sendable {
    public var baseURL: String
    public var credentials: [String: String]

    public init(baseURL: String, credentials: [String: String] = [:]) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
    }

    /// The URL of one of the provider's API routes, with the route's variable segments and a query.
    public func url(_ route: ProviderRoute, _ segments: String..., query: String? = nil) -> String {
        baseURL + route.path(segments) + (query.map { "?" + $0 } ?? "")
    }

    /// Each provider's production API.
    public static func defaultBaseURL(_ provider: Provider) -> String {
        switch provider {
        case .telegram: "https://api.telegram.org"
        case .slack: "https://slack.com"
        case .discord: "https://discord.com"
        case .feishu: "https://open.feishu.cn"
        case .dingtalk: "https://api.dingtalk.com"
        case .wecom: "https://qyapi.weixin.qq.com"
        case .wechat: "https://ilinkai.weixin.qq.com"
        }
    }

    /// The credential names each provider needs.
    public static func requiredCredentials(_ provider: Provider) -> [String] {
        switch provider {
        case .telegram, .slack, .discord, .wechat: ["bot_token"]
        case .feishu: ["app_id", "app_secret"]
        case .dingtalk: ["app_key", "app_secret"]
        case .wecom: ["corp_id", "corp_secret", "agent_id"]
        }
    }

    /// The secrets `switchboard serve` checks each provider's webhooks with, beside its credentials.
    public static func webhookSecrets(_ provider: Provider) -> [String] {
        provider.inbound.webhook.part?.secretNames ?? []
    }

    /// A credential or webhook secret, empty when it is not configured.
    public func credential(_ name: String) -> String {
        credentials[name] ?? ""
    }
}
