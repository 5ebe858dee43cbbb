import Foundation

extension ClaimedJob {
    /// The columns `init(_:leaseExpiresAt:)` reads, in its order (a PostgreSQL claim's `RETURNING` list; on
    /// SQLite, what a claim reads of its candidates).
    static let columns =
        "id, queue, kind, payload, priority, attempts, max_attempts, lease_token, group_key, dedupe_key, created_at, "
        + "checkpoint"

    init(_ row: some StoredRow, leaseExpiresAt: Timestamp) {
        self.init(
            lease: Lease(jobID: row.int64(0), token: row.int64(7)),
            queue: row.text(1),
            kind: row.text(2),
            payload: row.blob(3),
            priority: Int(row.int64(4)),
            attempt: Int(row.int64(5)),
            maxAttempts: Int(row.int64(6)),
            groupKey: row.optionalText(8),
            dedupeKey: row.optionalText(9),
            enqueuedAt: Timestamp(millisecondsSince1970: row.int64(10)),
            leaseExpiresAt: leaseExpiresAt,
            checkpoint: row.optionalBlob(11)
        )
    }
}
