import Foundation

/// The columns of a leased job that ending its attempt needs.
struct AttemptRow {
    static let columns = "id, kind, attempts, max_attempts, group_key, dedupe_key, error_history"

    let id: Int64
    let kind: String
    let attempts: Int
    let maxAttempts: Int
    let groupKey: String?
    let dedupeKey: String?
    let errorHistory: String?

    init(_ row: some StoredRow) {
        id = row.int64(0)
        kind = row.text(1)
        attempts = Int(row.int64(2))
        maxAttempts = Int(row.int64(3))
        groupKey = row.optionalText(4)
        dedupeKey = row.optionalText(5)
        errorHistory = row.optionalText(6)
    }
}
