/// A key that cannot be used, and why: "the key in FILE " + the reason reads as a sentence.
public struct KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
