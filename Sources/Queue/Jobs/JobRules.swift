import Foundation

/// The settings the job tables need inside a transaction.
struct JobRules: Sendable {
    var defaultMaxAttempts: Int
    var retryPolicies: RetryPolicies
    var completedRetention: Duration?
    var errorHistoryLimit: Int

    /// Longest error text kept per failure; the tail of a long stderr is the useful part.
    static let maxErrorLength = 2_000
}
