import Queue
import Testing

/// The rules that decide a job's next step, tested directly: no database, no clock.
@Suite("Job lifecycle rules")
struct JobLifecycleTests {
    let lifecycle = JobLifecycle(
        retryPolicy: .exponentialJitter(initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(60), jitter: 0.5)
    )
    let now = Timestamp(millisecondsSince1970: 1_700_000_000_000)

    private func next(_ end: AttemptEnd, attempt: Int, of maxAttempts: Int = 5, jitter: Double = 0) -> NextStep {
        lifecycle.next(after: end, attempt: attempt, maxAttempts: maxAttempts, now: now, jitterUnit: jitter)
    }

    @Test("a success finishes the job, whatever attempt it was")
    func successFinishes() {
        #expect(next(.succeeded, attempt: 1) == .finish)
        #expect(next(.succeeded, attempt: 5) == .finish)
    }

    @Test("a retryable failure runs again after the policy's backoff, jittered, spending the attempt")
    func retryableFailureBacksOff() {
        #expect(
            next(.failed(error: "e", retryable: true), attempt: 3)
                == .runAgain(at: now + .seconds(4), refundAttempt: false))
        #expect(
            next(.failed(error: "e", retryable: true), attempt: 3, jitter: 0.5)
                == .runAgain(at: now + .seconds(3), refundAttempt: false)
        )
    }

    @Test("a retryable failure on the last attempt, and any non-retryable one, dead-letter with their reason")
    func failuresDeadLetter() {
        #expect(next(.failed(error: "e", retryable: true), attempt: 5) == .deadLetter(.attemptsExhausted))
        #expect(next(.failed(error: "e", retryable: false), attempt: 1) == .deadLetter(.nonRetryable))
    }

    @Test("a snooze runs again after its delay and gives the attempt back, even on the last attempt")
    func snoozeRefunds() {
        #expect(next(.snoozed(.seconds(30)), attempt: 5) == .runAgain(at: now + .seconds(30), refundAttempt: true))
        #expect(next(.snoozed(.seconds(-5)), attempt: 1) == .runAgain(at: now, refundAttempt: true))
    }

    @Test(
        "an expired lease runs again at once, and dead-letters on the last attempt so a job that kills its worker ends")
    func leaseExpiry() {
        #expect(next(.leaseExpired, attempt: 2) == .runAgain(at: now, refundAttempt: false))
        #expect(next(.leaseExpired, attempt: 5) == .deadLetter(.leaseExpired))
    }

    @Test("jitter is asked for only when a retry is scheduled")
    func jitterOnlyForRetries() {
        var asked = 0
        func unit() -> Double {
            asked += 1
            return 0
        }
        for end in [AttemptEnd.succeeded, .snoozed(.seconds(1)), .leaseExpired, .failed(error: "e", retryable: false)] {
            _ = lifecycle.next(after: end, attempt: 1, maxAttempts: 5, now: now, jitterUnit: unit())
        }
        #expect(asked == 0)
        _ = lifecycle.next(
            after: .failed(error: "e", retryable: true), attempt: 1, maxAttempts: 5, now: now, jitterUnit: unit())
        #expect(asked == 1)
    }
}
