import Enqueuer
import Foundation

/// A configuration that cannot be used, naming the file and key.
public struct ConfigurationError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The file cannot be read at all.
        case unreadable
        /// The file is read, but a key or value in it is wrong.
        case invalid
    }

    public let kind: Kind
    public let description: String

    package init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
