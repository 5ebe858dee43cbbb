import Foundation

/// One provider API path below the provider's base URL, as a client builds it and the fake provider
/// recognises it, so the two cannot drift apart: fixed pieces with one variable segment between each two
/// (Telegram's bot token, Discord's channel and message, the Feishu message replied to). Each provider's
/// routes are declared in its folder (`TelegramRoutes.swift`).
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
    /// Every route that edits a message sent before.
    public static let edits = [telegramEdit, slackUpdate, discordMessage, feishuMessage]

    /// Every route that sends a message (not the token routes).
    public static let sends = [
        telegramSend, slackPost, discordMessages, feishuSend, feishuReply, dingtalkDirect, dingtalkGroup, wecomDirect,
        wecomGroup, wechatSend, telegramSendPhoto, telegramSendVoice, telegramSendAudio, telegramSendVideo,
        telegramSendDocument, slackCompleteUpload,
    ]
}
