import Foundation

/// One provider API path below the provider's base URL, as a client builds it and the fake provider
/// recognises it, so the two cannot drift apart: a fixed path, or a prefix and a suffix around one
/// variable segment (Telegram's bot token, Discord's channel, the Feishu message replied to).
public struct ProviderRoute: Sendable {
    public let prefix: String
    public let suffix: String
    private let hasSegment: Bool

    static func fixed(_ path: String) -> ProviderRoute {
        ProviderRoute(prefix: path, suffix: "", hasSegment: false)
    }

    static func around(_ prefix: String, _ suffix: String) -> ProviderRoute {
        ProviderRoute(prefix: prefix, suffix: suffix, hasSegment: true)
    }

    /// The path, with `segment` in its variable place (ignored by a fixed route).
    public func path(_ segment: String = "") -> String {
        hasSegment ? prefix + segment + suffix : prefix
    }

    /// Whether a request's path (a query string after it is ignored) is this route.
    public func matches(_ requestPath: String) -> Bool {
        let path =
            requestPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            ?? ""
        guard hasSegment else { return path == prefix }
        return path.count > prefix.count + suffix.count && path.hasPrefix(prefix) && path.hasSuffix(suffix)
            && !path.dropFirst(prefix.count).dropLast(suffix.count).contains("/")
    }
}

extension ProviderRoute {
    /// Telegram Bot API: `/bot{token}/sendMessage`.
    public static let telegramSend = around("/bot", "/sendMessage")
    public static let slackPost = fixed("/api/chat.postMessage")
    /// Discord: `/api/v10/channels/{channel}/messages`.
    public static let discordMessages = around("/api/v10/channels/", "/messages")
    public static let feishuToken = fixed("/open-apis/auth/v3/tenant_access_token/internal")
    public static let feishuSend = fixed("/open-apis/im/v1/messages")
    /// Feishu: `/open-apis/im/v1/messages/{message_id}/reply`.
    public static let feishuReply = around("/open-apis/im/v1/messages/", "/reply")
    public static let dingtalkToken = fixed("/v1.0/oauth2/accessToken")
    public static let dingtalkDirect = fixed("/v1.0/robot/oToMessages/batchSend")
    public static let dingtalkGroup = fixed("/v1.0/robot/groupMessages/send")
    public static let wecomToken = fixed("/cgi-bin/gettoken")
    public static let wecomDirect = fixed("/cgi-bin/message/send")
    public static let wecomGroup = fixed("/cgi-bin/appchat/send")
    public static let wechatSend = fixed("/ilink/bot/sendmessage")
    /// Telegram's typing indicator: `/bot{token}/sendChatAction`.
    public static let telegramTyping = around("/bot", "/sendChatAction")
    /// Discord's typing indicator: `/api/v10/channels/{channel}/typing`.
    public static let discordTyping = around("/api/v10/channels/", "/typing")
    /// Slack's assistant-thread status, its typing indicator.
    public static let slackThreadStatus = fixed("/api/assistant.threads.setStatus")
    /// Telegram's long poll: `/bot{token}/getUpdates`.
    public static let telegramUpdates = around("/bot", "/getUpdates")
    /// WeChat (iLink)'s long poll, with its opaque `get_updates_buf` cursor.
    public static let wechatUpdates = fixed("/ilink/bot/getupdates")

    /// Every route that sends a message (not the token routes).
    public static let sends = [
        telegramSend, slackPost, discordMessages, feishuSend, feishuReply, dingtalkDirect, dingtalkGroup, wecomDirect,
        wecomGroup, wechatSend,
    ]
}
