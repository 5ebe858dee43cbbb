import Queue

/// A chat identity bound to an owner by a connect code: the person who sent `/connect CODE` as that
/// provider's user in that workspace.
public struct ChannelConnection: Sendable, Equatable {
    public let id: Int64
    public let provider: String
    public let workspace: String
    /// The provider's id of the user who connected.
    public let user: String
    public let owner: String
    public let createdAt: Timestamp

    public init(id: Int64, provider: String, workspace: String, user: String, owner: String, createdAt: Timestamp) {
        self.id = id
        self.provider = provider
        self.workspace = workspace
        self.user = user
        self.owner = owner
        self.createdAt = createdAt
    }
}

extension ChannelConnection {
    /// The columns `init(_:)` reads, in its order.
    static let columns = "id, provider, workspace, external_user, owner, created_at"

    init(_ row: some StoredRow) {
        self.init(
            id: row.int64(0), provider: row.text(1), workspace: row.text(2), user: row.text(3), owner: row.text(4),
            createdAt: Timestamp(millisecondsSince1970: row.int64(5)))
    }
}
