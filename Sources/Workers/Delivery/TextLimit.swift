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

    /// The limit `provider` documents for one text message.
    public static func of(_ provider: Provider) -> TextLimit {
        provider.api.textLimit
    }

    func length(of character: Character) -> Int {
        switch unit {
        case .utf16: character.utf16.count
        case .scalars: character.unicodeScalars.count
        case .bytes: character.utf8.count
        }
    }
}
