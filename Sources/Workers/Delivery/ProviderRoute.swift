import Foundation

/// One provider API path below the provider's base URL, as a client builds it and the fake provider
/// recognises it, so the two cannot drift apart: fixed pieces with one variable segment between each two
/// (Telegram's bot token, Discord's channel and message, the Feishu message replied to).
public struct ProviderRoute: Sendable {
    /// The fixed pieces, in order; a variable segment goes between each two.
    private let pieces: [String]

    static func fixed(_ path: String) -> ProviderRoute {
        ProviderRoute(pieces: [path])
    }

    static func around(_ pieces: String...) -> ProviderRoute {
        ProviderRoute(pieces: pieces)
    }

    /// The path, with `segments` in its variable places, in order (ignored by a fixed route).
    public func path(_ segments: String...) -> String {
        path(segments)
    }

    func path(_ segments: [String]) -> String {
        var path = pieces[0]
        for (index, piece) in pieces.dropFirst().enumerated() {
            path += (index < segments.count ? segments[index] : "") + piece
        }
        return path
    }

    /// Whether a request's path (a query string after it is ignored) is this route: its pieces in order,
    /// with a segment of at least one character and no slash between each two.
    public func matches(_ requestPath: String) -> Bool {
        var rest =
            requestPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard rest.hasPrefix(pieces[0]) else { return false }
        rest = rest.dropFirst(pieces[0].count)
        for (index, piece) in pieces.enumerated().dropFirst() {
            let segment: Substring
            if index == pieces.count - 1 {
                guard rest.hasSuffix(piece) else { return false }
                segment = rest.dropLast(piece.count)
            } else {
                segment = rest.prefix { $0 != "/" }
            }
            guard !segment.isEmpty, !segment.contains("/"), rest.dropFirst(segment.count).hasPrefix(piece) else {
                return false
            }
            rest = rest.dropFirst(segment.count + piece.count)
        }
        return rest.isEmpty
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
    /// Telegram's edit: `/bot{token}/editMessageText`.
    public static let telegramEdit = around("/bot", "/editMessageText")
    public static let slackUpdate = fixed("/api/chat.update")
    /// Discord's edit (`PATCH`): `/api/v10/channels/{channel}/messages/{message}`.
    public static let discordMessage = around("/api/v10/channels/", "/messages/", "")
    /// Feishu's edit (`PUT`): `/open-apis/im/v1/messages/{message_id}`.
    public static let feishuMessage = around("/open-apis/im/v1/messages/", "")
    /// Telegram's typing indicator: `/bot{token}/sendChatAction`.
    public static let telegramTyping = around("/bot", "/sendChatAction")
    /// Discord's typing indicator: `/api/v10/channels/{channel}/typing`.
    public static let discordTyping = around("/api/v10/channels/", "/typing")
    /// Slack's assistant-thread status, its typing indicator.
    public static let slackThreadStatus = fixed("/api/assistant.threads.setStatus")
    /// WeChat (iLink)'s per-user settings, with the ticket its typing indicator needs.
    public static let wechatConfig = fixed("/ilink/bot/getconfig")
    /// WeChat (iLink)'s typing indicator: status 1 typing, 2 cancelled.
    public static let wechatTyping = fixed("/ilink/bot/sendtyping")
    /// Telegram's long poll: `/bot{token}/getUpdates`.
    public static let telegramUpdates = around("/bot", "/getUpdates")
    /// WeChat (iLink)'s long poll, with its opaque `get_updates_buf` cursor.
    public static let wechatUpdates = fixed("/ilink/bot/getupdates")

    /// Every route that edits a message sent before.
    public static let edits = [telegramEdit, slackUpdate, discordMessage, feishuMessage]

    /// Every route that sends a message (not the token routes).
    public static let sends = [
        telegramSend, slackPost, discordMessages, feishuSend, feishuReply, dingtalkDirect, dingtalkGroup, wecomDirect,
        wecomGroup, wechatSend,
    ]
}
