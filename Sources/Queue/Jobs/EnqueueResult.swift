import Foundation

/// Whether an enqueue wrote a job.
public enum EnqueueStatus: String, Sendable {
    /// A new job was written.
    case enqueued
    /// The dedupe key was live: nothing was written, and the id is the job that holds the key.
    case duplicate
}
/// The outcome of enqueueing one job.
public struct EnqueueResult: Sendable, Equatable {
    public var jobID: Int64
    public var status: EnqueueStatus

    public init(jobID: Int64, status: EnqueueStatus) {
        self.jobID = jobID
        self.status = status
    }
}
