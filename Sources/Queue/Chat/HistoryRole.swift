import Queue

/// Who said a message of a conversation.
public enum HistoryRole: String, Sendable {
    case user
    case assistant
}

extension HistoryRole {
    /// A role as stored.
    /// - Throws: `QueueError.corrupt` when the database holds something else.
    init(stored: String) throws {
        guard let role = HistoryRole(rawValue: stored) else {
            throw QueueError(.corrupt, "a stored history role is \"\(stored.prefix(16))\", not user or assistant")
        }
        self = role
    }
}
