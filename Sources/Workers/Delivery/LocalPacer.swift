import Enqueuer
import Foundation
import Synchronization

/// What this process knows of the rate buckets before the database does: the bot-wide pace of its own
/// sends, and the holds "slow down" answers set, from the moment each was read (the database has it a
/// transaction later).
final class LocalPacer: Sendable {
    private struct State {
        /// When each bot-wide bucket may take its next send from this process.
        var nextSend: [String: ContinuousClock.Instant] = [:]
        /// When the hold a "slow down" answer set on each bucket ends.
        var holds: [String: ContinuousClock.Instant] = [:]

        func heldUntil(_ buckets: RateBuckets) -> ContinuousClock.Instant? {
            buckets.keys.compactMap { holds[$0] }.max()
        }
    }

    /// Past this many holds, a new one first forgets those that have ended.
    private static let pruneAbove = 256
    private let state = Mutex(State())

    /// Waits until no bucket of `buckets` is held here and its bot-wide bucket's pace allows a send, then
    /// (with `spacing`) keeps the next send to that bucket an interval off. A waiter looks again after each
    /// sleep, so a hold set while it slept is waited out too.
    /// - Throws: `CancellationError` when cancelled while waiting.
    func waitForTurn(_ buckets: RateBuckets, spacing: Bool) async throws {
        while true {
            let allowed = state.withLock { state -> ContinuousClock.Instant? in
                let now = ContinuousClock.now
                let allowed = max(
                    state.heldUntil(buckets) ?? now, buckets.bot.flatMap { state.nextSend[$0.key] } ?? now)
                guard allowed <= now else { return allowed }
                if spacing, let bot = buckets.bot {
                    state.nextSend[bot.key] = now + bot.interval
                }
                return nil
            }
            guard let allowed else { return }
            try await Task.sleep(until: allowed, clock: .continuous)
        }
    }

    /// How long until the holds set here on `buckets` end; nil when none is in force.
    func held(_ buckets: RateBuckets) -> Duration? {
        state.withLock { state in
            let now = ContinuousClock.now
            guard let until = state.heldUntil(buckets), until > now else { return nil }
            return until - now
        }
    }

    /// Allows no send to `bucket` for `duration`.
    func hold(_ bucket: String, for duration: Duration) {
        state.withLock { state in
            let now = ContinuousClock.now
            if state.holds.count > Self.pruneAbove {
                state.holds = state.holds.filter { $0.value > now }
            }
            let until = now + duration
            state.holds[bucket] = max(state.holds[bucket] ?? until, until)
        }
    }
}
