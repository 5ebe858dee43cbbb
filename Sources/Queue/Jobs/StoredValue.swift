/// A value the database keeps as text, read back strictly: a value this build does not know means the
/// database was changed behind Switchboard's back, and is never read as some default.
package protocol StoredValue: RawRepresentable<String> {
    /// What the value is, for the error: "job state".
    static var storedName: String { get }
}

extension StoredValue {
    /// - Throws: `QueueError.corrupt` naming what was expected.
    package init(stored text: String) throws {
        guard let value = Self(rawValue: text) else {
            throw QueueError(
                .corrupt, "a stored \(Self.storedName) is \"\(text.prefix(32))\", which this build does not know")
        }
        self = value
    }
}

extension JobState: StoredValue {
    package static let storedName = "job state"
}

extension DeadLetterReason: StoredValue {
    package static let storedName = "dead-letter reason"
}
