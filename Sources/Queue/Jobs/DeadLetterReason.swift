import Foundation

/// Why a job was dead-lettered.
public enum DeadLetterReason: String, Sendable {
    /// The handler said retrying cannot help.
    case nonRetryable = "non_retryable"
    /// It failed on its last allowed attempt.
    case attemptsExhausted = "attempts_exhausted"
    /// Its lease expired during its last allowed attempt: the worker likely crashed on it.
    case leaseExpired = "lease_expired"
    /// An operator cancelled it (`jobs cancel`): kept as a dead letter for inspection, redrive or purge.
    case cancelled
}
