import Enqueuer

/// How a provider measures a message's length, and how long one may be.
public struct TextLimit: Sendable, Equatable {
    public enum Unit: Sendable {
        /// UTF-16 code units: what Telegram and Discord count as characters.
        case utf16
        /// Unicode scalars.
        case scalars
        /// UTF-8 bytes.
        case bytes
    }

    public var maximum: Int
    public var unit: Unit

    public init(maximum: Int, unit: Unit) {
        self.maximum = maximum
        self.unit = unit
    }

    /// The limit each provider documents for one text message.
    public static func of(_ provider: Provider) -> TextLimit {
        switch provider {
        case .telegram: TextLimit(maximum: 4096, unit: .utf16)
        case .discord: TextLimit(maximum: 2000, unit: .utf16)
        case .slack: TextLimit(maximum: 4000, unit: .scalars)
        case .wecom: TextLimit(maximum: 2048, unit: .bytes)
        case .dingtalk: TextLimit(maximum: 15_000, unit: .bytes)
        case .feishu: TextLimit(maximum: 150_000, unit: .bytes)
        case .wechat: TextLimit(maximum: 2000, unit: .scalars)
        }
    }

    func length(of character: Character) -> Int {
        switch unit {
        case .utf16: character.utf16.count
        case .scalars: character.unicodeScalars.count
        case .bytes: character.utf8.count
        }
    }
}
