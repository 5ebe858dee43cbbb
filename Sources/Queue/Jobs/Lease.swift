import Foundation

/// The right to settle one claim of one job: a fencing token.
///
/// `token` grows by one with every claim of the job, so a worker whose lease expired holds a token
/// that no longer matches, and every settlement it attempts is refused.
public struct Lease: Hashable, Sendable, CustomStringConvertible {
    public var jobID: Int64
    public var token: Int64

    public init(jobID: Int64, token: Int64) {
        self.jobID = jobID
        self.token = token
    }

    public var description: String { "job \(jobID) lease \(token)" }
}
