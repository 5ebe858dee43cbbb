import Foundation

/// A job a worker has claimed.
public struct ClaimedJob: Sendable {
    public var lease: Lease
    public var queue: String
    public var kind: String
    public var payload: Data
    public var priority: Int
    /// Which attempt this is, from 1.
    public var attempt: Int
    public var maxAttempts: Int
    public var groupKey: String?
    public var dedupeKey: String?
    public var enqueuedAt: Timestamp
    public var leaseExpiresAt: Timestamp
    /// What an earlier attempt saved with `JobStore.checkpoint` (a dead-letter notice gets its job's), if any.
    public var checkpoint: Data?

    public var id: Int64 { lease.jobID }

    package init(
        lease: Lease, queue: String, kind: String, payload: Data, priority: Int, attempt: Int, maxAttempts: Int,
        groupKey: String?, dedupeKey: String?, enqueuedAt: Timestamp, leaseExpiresAt: Timestamp,
        checkpoint: Data? = nil
    ) {
        self.lease = lease
        self.queue = queue
        self.kind = kind
        self.payload = payload
        self.priority = priority
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.groupKey = groupKey
        self.dedupeKey = dedupeKey
        self.enqueuedAt = enqueuedAt
        self.leaseExpiresAt = leaseExpiresAt
        self.checkpoint = checkpoint
    }
}
