/// How an attempt at a leased job ended.
package enum AttemptEnd: Equatable {
    case succeeded
    case failed(error: String, retryable: Bool)
    /// The worker asked for the job back after a delay; the attempt does not count.
    case snoozed(Duration)
    /// Nobody settled the job before its lease ran out.
    case leaseExpired
}

/// What happens to a job next.
package enum NextStep: Equatable {
    /// Done: delete it, or keep it as completed for the retention window.
    case finish
    /// Run it again from `runAt`; `refundAttempt` when the attempt should not count.
    case runAgain(at: Timestamp, refundAttempt: Bool)
    case deadLetter(DeadLetterReason)
}

/// The rules that decide a job's next step when an attempt ends.
///
/// Pure: no database, no clock, no randomness of its own, so every rule is tested directly.
package struct JobLifecycle {
    package let retryPolicy: RetryPolicy

    package init(retryPolicy: RetryPolicy) {
        self.retryPolicy = retryPolicy
    }

    /// - Parameters:
    ///   - attempt: the attempt that just ended, counting from 1.
    ///   - jitterUnit: a number in `0..<1` for the retry policy's jitter; asked for only when a retry is scheduled.
    package func next(
        after end: AttemptEnd, attempt: Int, maxAttempts: Int, now: Timestamp, jitterUnit: @autoclosure () -> Double
    ) -> NextStep {
        switch end {
        case .succeeded:
            return .finish
        case .snoozed(let delay):
            return .runAgain(at: now + max(delay, .zero), refundAttempt: true)
        case .failed(_, retryable: false):
            return .deadLetter(.nonRetryable)
        case .failed(_, retryable: true):
            guard attempt < maxAttempts else { return .deadLetter(.attemptsExhausted) }
            let delay = retryPolicy.delay(afterAttempt: attempt, unit: jitterUnit())
            return .runAgain(at: now + delay, refundAttempt: false)
        case .leaseExpired:
            // The lease duration has already been waited out; run again at once, unless that was the
            // last attempt: a job that kills its worker must not loop forever.
            guard attempt < maxAttempts else { return .deadLetter(.leaseExpired) }
            return .runAgain(at: now, refundAttempt: false)
        }
    }
}
