import Enqueuer
import Foundation

/// Spaces sends to each bot-wide bucket within this process, and holds a bucket the moment a send to it
/// is told to slow down, before any other send to it leaves.
actor LocalPacer {
    private var nextAllowed: [String: ContinuousClock.Instant] = [:]

    /// Waits until a send to `bucket` is allowed, then (with `spacing`) keeps the next one an interval off.
    /// A waiter looks again after each sleep, so a hold set while it slept is waited out too.
    func waitForTurn(_ bucket: RateBuckets.Bucket, spacing: Bool) async throws {
        while true {
            let now = ContinuousClock.now
            let allowed = nextAllowed[bucket.key] ?? now
            if allowed <= now {
                if spacing {
                    nextAllowed[bucket.key] = now + bucket.interval
                }
                return
            }
            try await Task.sleep(until: allowed, clock: .continuous)
        }
    }

    /// Allows no send to `bucket` for `duration`.
    func hold(_ bucket: String, for duration: Duration) {
        let until = ContinuousClock.now + duration
        nextAllowed[bucket] = max(nextAllowed[bucket] ?? until, until)
    }
}
