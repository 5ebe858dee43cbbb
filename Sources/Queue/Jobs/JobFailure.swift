import Foundation

/// One failed attempt, as kept in a job's bounded error history.
public struct JobFailure: Sendable, Equatable {
    public var attempt: Int
    /// Milliseconds since 1970.
    public var at: Int64
    public var error: String
}
