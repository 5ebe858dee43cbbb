/// Who said a message of a conversation.
public enum HistoryRole: String, Sendable {
    case user
    case assistant
}
/// A message to append to a conversation's history, written in the same transaction as the job that
/// carries it, and only if that job is written (a duplicate delivery writes neither).
public struct HistoryEntry: Sendable, Equatable {
    /// An opaque key naming the conversation; the intake derives it from provider, workspace and chat.
    public var conversation: String
    public var role: HistoryRole
    public var text: String

    public init(conversation: String, role: HistoryRole, text: String) {
        self.conversation = conversation
        self.role = role
        self.text = text
    }
}
