import Foundation
import Queue

/// What happened to one delivery.
public struct IntakeResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        case enqueued
        case duplicate
        case ignored
        case rejected
    }

    public var status: Status
    public var jobID: Int64?
    /// The job's kind: `ChatJob.turn` or `ChatJob.link`.
    public var kind: String?
    public var dedupeKey: String?
    /// Why it was ignored or rejected.
    public var detail: String?
    /// What was wrong with it, when it was rejected.
    public var rejection: IntakeRejection?
    /// For a subscription check: the challenge to answer with.
    public var challenge: String?
}
