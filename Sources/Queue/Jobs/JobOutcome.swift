/// What a worker reports at the end of an attempt.
public enum JobOutcome: Sendable, Equatable {
    /// The job is done.
    case complete
    /// The attempt failed. A retryable failure runs again after backoff until attempts run out;
    /// a non-retryable one is dead-lettered at once.
    case fail(error: String, retryable: Bool)
    /// Put the job back to run after `delay`, without spending an attempt: for "slow down" answers.
    case snooze(Duration)

    /// Hand the job back to run again at once, without spending an attempt (a worker shutting down).
    public static let release = JobOutcome.snooze(.zero)
}
