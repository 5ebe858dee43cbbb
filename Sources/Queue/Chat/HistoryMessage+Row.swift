import Foundation
import Queue

extension HistoryMessage {
    /// Reads `id, role, text, job_id, created_at`.
    /// - Throws: `QueueError.corrupt` when the stored role does not decode.
    init(_ row: some StoredRow) throws {
        self.init(
            id: row.int64(0), role: try HistoryRole(stored: row.text(1)), text: row.unrestrictedText(2),
            jobID: row.optionalInt64(3),
            createdAt: Timestamp(millisecondsSince1970: row.int64(4))
        )
    }
}
