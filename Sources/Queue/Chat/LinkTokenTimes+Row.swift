import Foundation
import Queue

extension LinkTokenTimes {
    /// Reads `used_at, superseded_at, expires_at`.
    init(_ row: some StoredRow) {
        let time = { (column: Int) in row.optionalInt64(column).map(Timestamp.init(millisecondsSince1970:)) }
        self.init(
            usedAt: time(0), supersededAt: time(1), expiresAt: Timestamp(millisecondsSince1970: row.int64(2)))
    }
}
