import Dispatch
import Foundation
import Synchronization

/// The machine's real clock.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Timestamp {
        Timestamp(Date())
    }

    public func alarm(at deadline: Timestamp, _ wake: @escaping @Sendable () -> Void) -> ClockAlarm {
        let cancelled = Atomic<Bool>(false)
        let delay = max(deadline - now(), .zero)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(delay.wholeNanoseconds))) {
            if !cancelled.load(ordering: .acquiring) {
                wake()
            }
        }
        return ClockAlarm { cancelled.store(true, ordering: .releasing) }
    }
}
