import Synchronization

/// Limits failed authentications per client network, for every secret `serve` takes from a client (the
/// dashboard's sign-in token, the intake bearer token, the API's tokens): one ledger, so failures with any
/// of them count together.
///
/// A client that failed too often is refused before its secret is looked at, so a refusal says nothing
/// about whether the next guess was right; a client that has not failed is never slowed by one that has.
package final class FailedAttemptLimiter: Sendable {
    private let ledger: Mutex<FailureLedger>

    package init(policy: FailureLedger.Policy = FailureLedger.Policy()) {
        ledger = Mutex(FailureLedger(policy: policy))
    }

    /// Runs `authenticate` for `client` unless it must wait, and counts what it says. The check and the
    /// count are one step under the lock, so many guesses sent at once cannot all pass the check before
    /// the first failure is counted.
    /// - Parameter client: the client's address; an IPv6 one is counted by its /64 network.
    /// - Throws: `TooManyFailedAttempts`, with how long to wait, when `client` failed too often lately.
    package func attempt<Result: Sendable>(
        by client: IPAddress?, now: ContinuousClock.Instant = .now,
        _ authenticate: () -> (result: Result, outcome: AttemptOutcome)
    ) throws(TooManyFailedAttempts) -> Result {
        let key = client?.network
        return try ledger.withLock { ledger throws(TooManyFailedAttempts) -> Result in
            if let wait = ledger.wait(key, now: now) {
                throw TooManyFailedAttempts(retryAfter: wait)
            }
            let (result, outcome) = authenticate()
            switch outcome {
            case .succeeded: ledger.succeeded(key)
            case .failed: ledger.failed(key, now: now)
            case .notCounted: break
            }
            return result
        }
    }

    /// How many clients it remembers.
    package var remembered: Int {
        ledger.withLock { $0.count }
    }
}

/// What an authentication came to, for `FailedAttemptLimiter`.
package enum AttemptOutcome: Sendable {
    case succeeded
    case failed
    /// Nothing to count: the route is not configured, say.
    case notCounted
}

/// A client failed to authenticate too often lately; answer 429 with `Retry-After`.
package struct TooManyFailedAttempts: Error, Sendable, Equatable {
    package let retryAfter: Duration

    /// The wait in whole seconds, rounded up and at least 1: the value of `Retry-After`.
    package var retryAfterSeconds: Int {
        let (seconds, attoseconds) = retryAfter.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
