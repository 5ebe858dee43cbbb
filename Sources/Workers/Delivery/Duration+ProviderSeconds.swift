import Enqueuer
import Foundation
import Queue

extension Duration {
    /// A duration from seconds as a provider sends them (possibly fractional), rounded up to milliseconds.
    static func providerSeconds(_ seconds: Double) -> Duration {
        .milliseconds(Int64((max(seconds, 0) * 1000).rounded(.up)))
    }
}
