/// A message of a conversation's history, as stored.
public struct HistoryMessage: Sendable, Equatable {
    public var id: Int64
    public var role: HistoryRole
    public var text: String
    /// The job the message came with (a user's turn) or from (an assistant's reply).
    public var jobID: Int64?
    public var createdAt: Timestamp
}
extension HistoryMessage {
    init(_ row: SQLiteStatement) {
        id = row.int64(0)
        role = HistoryRole(rawValue: row.text(1)) ?? .user
        text = row.text(2)
        jobID = row.optionalInt64(3)
        createdAt = Timestamp(millisecondsSince1970: row.int64(4))
    }
}
