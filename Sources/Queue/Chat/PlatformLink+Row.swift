import Foundation
import Queue

extension PlatformLink {
    /// The columns `init(_:)` reads, in its order.
    static let columns = "id, type, platform, subject, account, created_at"

    /// - Throws: `QueueError.corrupt` when the stored link type does not decode.
    init(_ row: some StoredRow) throws {
        self.init(
            id: row.int64(0), type: try LinkType(stored: row.text(1)), platform: row.text(2), subject: row.text(3),
            account: row.text(4), createdAt: Timestamp(millisecondsSince1970: row.int64(5))
        )
    }
}
