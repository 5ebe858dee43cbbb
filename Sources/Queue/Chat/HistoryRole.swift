import Queue

/// Who said a message of a conversation.
public enum HistoryRole: String, Sendable {
    case user
    case assistant
}

extension HistoryRole: StoredValue {
    package static let storedName = "history role"
}
