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

    public var id: Int64 { lease.jobID }
}
