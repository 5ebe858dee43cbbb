import Foundation
import JSON
import Queue

/// Turns one provider's webhook payload into an `InboundEvent`.
protocol ProviderNormaliser: Sendable {
    func normalise(_ payload: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised
}
/// Turns raw webhook bodies into provider-neutral events, refusing what is malformed.
public enum PayloadNormaliser {
    /// Bodies larger than this are refused unread.
    public static let maxBodyBytes = 1 << 20

    /// Parses and normalises one body. Any bytes at all end in a result or an `IntakeRejection`.
    public static func normalise(provider: Provider, body: Data, receivedAt: Timestamp) throws(IntakeRejection)
        -> Normalised
    {
        guard body.count <= maxBodyBytes else {
            throw IntakeRejection(
                provider: provider, field: nil, problem: "body is larger than 1 MiB", unreadable: true)
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch {
            throw IntakeRejection(
                provider: provider, field: nil, problem: "body is not valid JSON (\(error))", unreadable: true)
        }
        do {
            return try normaliser(for: provider).normalise(JSONFields(root: root), receivedAt: receivedAt)
        } catch {
            throw IntakeRejection(
                provider: provider, field: error.path, problem: (error.path == nil ? "body " : "") + error.problem)
        }
    }

    private static func normaliser(for provider: Provider) -> any ProviderNormaliser {
        switch provider {
        case .telegram: TelegramNormaliser()
        case .slack: SlackNormaliser()
        case .discord: DiscordNormaliser()
        case .feishu: FeishuNormaliser()
        case .dingtalk: DingTalkNormaliser()
        case .wecom: WeComNormaliser()
        case .wechat: WeChatNormaliser()
        }
    }
}
