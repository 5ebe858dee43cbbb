import ChatStore
import Queue

/// A message asking to link this chat identity to an account: `/connect CODE` on any provider, or
/// Telegram's `/start CODE` (what the deep link `t.me/BOT?start=CODE` sends).
public struct LinkCommand: Sendable, Equatable {
    /// The code as the user typed it; nil when it does not have a code's shape, so it is not looked up.
    public var code: String?

    /// Recognises a link command. Leading mentions (`@bot`, `<@U123>`, `@_user_1`) are skipped; the
    /// command may carry a bot name (`/connect@my_bot`). A bare `connect`, or `/connect` with no code,
    /// is not a command.
    public static func parse(_ text: String, provider: Provider) -> LinkCommand? {
        // Most messages are not commands: rule them out with a byte scan before splitting into words.
        guard text.utf8.contains(UInt8(ascii: "/")) else { return nil }
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        while let first = words.first, first.hasPrefix("@") || first.hasPrefix("<@") {
            words.removeFirst()
        }
        guard words.count == 2 else { return nil }
        let command = words[0].split(separator: "@", maxSplits: 1).first.map(String.init) ?? ""
        guard command == "/connect" || command == Self.command(for: provider) else { return nil }
        return LinkCommand(code: SecretToken.isWellFormed(words[1]) ? words[1] : nil)
    }

    /// The command users of `provider` are told to send with their code: `/connect`, or the one the
    /// provider's deep link sends (Telegram's `/start`).
    public static func command(for provider: Provider) -> String {
        provider.inbound.linkCommand
    }
}
