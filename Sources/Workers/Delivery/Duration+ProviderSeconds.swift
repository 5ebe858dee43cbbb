import Enqueuer
import Foundation
import Queue

extension Duration {
    /// A duration from seconds as a provider or the configuration gives them (possibly fractional),
    /// rounded up to milliseconds, from zero to `RateHold.longest`: no number traps, however large,
    /// negative or not a number (those two are zero).
    static func providerSeconds(_ seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        return .milliseconds(Int64((Swift.min(seconds, RateHold.longest.seconds) * 1000).rounded(.up)))
    }

    /// The wait a "slow down" answer asks for, from its seconds (`retry_after`, `Retry-After`): `fallback`
    /// when it names none more than zero (absent, negative, not a number), at most `RateHold.longest`.
    package static func providerWait(_ seconds: Double?, otherwise fallback: Duration = .seconds(1)) -> Duration {
        guard let seconds, seconds > 0 else { return fallback }
        return providerSeconds(seconds)
    }
}
