import Foundation
import Queue

extension LinkTokenRecord {
    /// The columns `init(_:)` reads, in its order.
    static let columns = "type, platform, used_at, superseded_at, expires_at, server_name"

    init(_ row: some StoredRow) throws {
        let time = { (column: Int) in row.optionalInt64(column).map(Timestamp.init(millisecondsSince1970:)) }
        self.init(
            type: try LinkType(stored: row.text(0)), platform: row.text(1), serverName: row.optionalText(5),
            usedAt: time(2), supersededAt: time(3), expiresAt: Timestamp(millisecondsSince1970: row.int64(4)))
    }
}
