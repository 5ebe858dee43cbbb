import Queue

/// A message of a conversation's history, as stored.
public struct HistoryMessage: Sendable, Equatable {
    public var id: Int64
    public var role: HistoryRole
    public var text: String
    /// The job the message came with (a user's turn) or from (an assistant's reply).
    public var jobID: Int64?
    public var createdAt: Timestamp
}
