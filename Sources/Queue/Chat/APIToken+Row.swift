import Queue

extension APIToken {
    /// The columns `init(_:)` reads, in its order.
    static let columns = "id, name, scopes, created_at, revoked_at"

    init(_ row: some StoredRow) throws {
        self.init(
            id: row.int64(0), name: row.text(1),
            scopes: try row.text(2).split(separator: " ").map { stored in
                guard let scope = APIScope(rawValue: String(stored)) else {
                    throw QueueError(.corrupt, "an API token's stored scope '\(stored)' is not one this build knows")
                }
                return scope
            },
            createdAt: Timestamp(millisecondsSince1970: row.int64(3)),
            revokedAt: row.optionalInt64(4).map(Timestamp.init(millisecondsSince1970:)))
    }
}
