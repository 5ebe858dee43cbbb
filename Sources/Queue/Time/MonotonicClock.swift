import Dispatch
import Foundation
import Synchronization

/// The machine's time as a monotonic clock measures it: it starts at the wall clock's reading and then
/// only moves forward, at the rate of real time, whatever is done to the wall clock.
///
/// A worker measures its own durations with it (heartbeats, the shutdown grace, and above all how long
/// it may still run a job whose lease it has not renewed): an NTP step or an operator setting the time
/// back would otherwise stretch a lease's fence past the lease itself.
public struct MonotonicClock: WallClock {
    private let startedAt: Timestamp
    private let started: ContinuousClock.Instant

    public init() {
        startedAt = SystemClock().now()
        started = .now
    }

    public func now() -> Timestamp {
        startedAt + (ContinuousClock.now - started)
    }

    public func alarm(at deadline: Timestamp, _ wake: @escaping @Sendable () -> Void) -> ClockAlarm {
        let cancelled = Atomic<Bool>(false)
        let delay = max(deadline - now(), .zero)
        // DispatchTime is monotonic too: the alarm keeps to this clock, not to the wall clock.
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(delay.wholeNanoseconds))) {
            if !cancelled.load(ordering: .acquiring) {
                wake()
            }
        }
        return ClockAlarm { cancelled.store(true, ordering: .releasing) }
    }
}
