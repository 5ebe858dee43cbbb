import Foundation
import Synchronization

/// The source of wall-clock time for everything in Switchboard whose behaviour depends on time.
///
/// Leases, backoff, run-at times and expiries all read `now()` from an injected clock, so tests move
/// time forward with `ManualClock` instead of sleeping.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Timestamp
    /// Suspends for `duration` of this clock's time.
    func sleep(for duration: Duration) async throws
}
/// The machine's real clock.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Timestamp {
        Timestamp(Date())
    }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
