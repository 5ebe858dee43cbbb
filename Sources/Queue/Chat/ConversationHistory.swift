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

/// A message of a conversation's history, as stored.
public struct HistoryMessage: Sendable, Equatable {
    public var id: Int64
    public var role: HistoryRole
    public var text: String
    /// The job the message came with (a user's turn) or from (an assistant's reply).
    public var jobID: Int64?
    public var createdAt: Timestamp
}

extension JobStore {
    /// The last `limit` messages of a conversation, oldest first.
    public func history(conversation: String, limit: Int = 20) async throws -> [HistoryMessage] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT id, role, text, job_id, created_at FROM (
                    SELECT * FROM conversation_messages WHERE conversation = ?1 ORDER BY id DESC LIMIT ?2)
                ORDER BY id
                """,
                [.text(conversation), .integer(limit)],
                row: HistoryMessage.init
            )
        }
    }

    /// How many history messages belong to a job: 1 for a recorded turn, 0 when the job wrote none.
    public func historyCount(job jobID: Int64) async throws -> Int {
        try await database.read { connection in
            Int(try connection.integer("SELECT count(*) FROM conversation_messages WHERE job_id = ?1", [.integer(jobID)]) ?? 0)
        }
    }
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

extension JobsTransaction {
    /// The most messages one append prunes: a history that grew long under a larger setting shrinks a
    /// few messages per message added, never in one long transaction.
    static let historyPruneBatch = 16

    /// Appends a message to a conversation's history, and deletes (a bounded number of) its messages
    /// older than the newest `rules.conversationHistoryKept`.
    func append(_ entry: HistoryEntry, job jobID: Int64?) throws {
        try connection.execute(
            "INSERT INTO conversation_messages (conversation, role, text, job_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            [
                .text(entry.conversation), .text(entry.role.rawValue), .text(entry.text), .optionalInteger(jobID),
                .integer(now.millisecondsSince1970),
            ]
        )
        try connection.execute(
            """
            DELETE FROM conversation_messages WHERE id IN (
                SELECT id FROM conversation_messages WHERE conversation = ?1 ORDER BY id DESC LIMIT ?3 OFFSET ?2)
            """,
            [.text(entry.conversation), .integer(rules.conversationHistoryKept), .integer(Self.historyPruneBatch)]
        )
    }
}
