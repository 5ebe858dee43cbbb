import Foundation

extension JobRecord {
    static let columns = """
        id, queue, kind, payload, priority, state, run_at, attempts, max_attempts, lease_token, lease_expires_at,
        worker_id, group_key, dedupe_key, last_error, error_history, dead_reason, created_at, updated_at, finished_at,
        checkpoint
        """

    /// - Throws: `QueueError.corrupt` when a stored value does not decode.
    init(_ row: some StoredRow) throws {
        let time = { (column: Int) in row.optionalInt64(column).map(Timestamp.init(millisecondsSince1970:)) }
        id = row.int64(0)
        queue = row.text(1)
        kind = row.text(2)
        payload = row.blob(3)
        priority = Int(row.int64(4))
        state = try JobState(stored: row.text(5))
        runAt = Timestamp(millisecondsSince1970: row.int64(6))
        attempts = Int(row.int64(7))
        maxAttempts = Int(row.int64(8))
        leaseToken = row.int64(9)
        leaseExpiresAt = time(10)
        workerID = row.optionalText(11)
        groupKey = row.optionalText(12)
        dedupeKey = row.optionalText(13)
        lastError = row.optionalText(14)
        errorHistory = try ErrorHistory.decode(row.optionalText(15))
        deadReason = try row.optionalText(16).map(DeadLetterReason.init(stored:))
        createdAt = Timestamp(millisecondsSince1970: row.int64(17))
        updatedAt = Timestamp(millisecondsSince1970: row.int64(18))
        finishedAt = time(19)
        checkpoint = row.optionalBlob(20)
    }
}
