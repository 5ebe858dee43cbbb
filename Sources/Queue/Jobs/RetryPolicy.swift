import Foundation

/// How long a failed job waits before its next attempt: exponential growth with a cap, and jitter.
public struct RetryPolicy: Sendable, Equatable {
    /// The wait after the first failed attempt, before jitter.
    public var initialDelay: Duration
    /// How much the wait grows after each further failure.
    public var multiplier: Double
    /// The longest wait, before jitter.
    public var maxDelay: Duration
    /// The fraction of each wait that is randomised away (0 for none, at most 1), so that jobs failing
    /// together do not all retry together.
    public var jitter: Double

    /// 1 s, doubling up to 5 minutes, with up to 25% jitter.
    public static let standard = RetryPolicy.exponentialJitter()

    public static func exponentialJitter(
        initialDelay: Duration = .seconds(1),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(300),
        jitter: Double = 0.25
    ) -> RetryPolicy {
        RetryPolicy(initialDelay: initialDelay, multiplier: multiplier, maxDelay: maxDelay, jitter: jitter)
    }

    /// The wait after failed attempt `attempt` (counting from 1).
    ///
    /// - Parameter unit: a number in `0..<1` that picks where in the jitter range the wait falls:
    ///   0 gives the full nominal wait, values toward 1 shorten it by up to `jitter` of it.
    public func delay(afterAttempt attempt: Int, unit: Double) -> Duration {
        let exponent = Double(max(attempt, 1) - 1)
        let nominal = min(maxDelay.seconds, initialDelay.seconds * pow(multiplier, exponent))
        let jittered = nominal * (1 - min(max(jitter, 0), 1) * unit)
        return .milliseconds(Int64((jittered * 1000).rounded()))
    }
}
