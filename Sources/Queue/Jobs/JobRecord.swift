import Foundation

/// Everything stored about one job, for inspection.
public struct JobRecord: Sendable {
    public var id: Int64
    public var queue: String
    public var kind: String
    public var payload: Data
    public var priority: Int
    public var state: JobState
    public var runAt: Timestamp
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseToken: Int64
    public var leaseExpiresAt: Timestamp?
    public var workerID: String?
    public var groupKey: String?
    public var dedupeKey: String?
    public var lastError: String?
    public var errorHistory: [JobFailure]
    public var deadReason: DeadLetterReason?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var finishedAt: Timestamp?
    /// The progress an attempt saved with `JobStore.checkpoint`, if any.
    public var checkpoint: Data?
}
