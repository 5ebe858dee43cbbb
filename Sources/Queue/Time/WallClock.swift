import Dispatch
import Foundation
import Synchronization

/// The source of wall-clock time for everything in Switchboard whose behaviour depends on time.
///
/// Leases, backoff, run-at times and expiries all read `now()` from an injected clock, and every wait
/// (an idle worker's, a heartbeat's, a shutdown's grace, a paced redrive's) is an alarm of that clock,
/// so tests move time forward with `ManualClock` instead of sleeping.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Timestamp
    /// Calls `wake` once the clock reaches `deadline` (soon, if it already has), unless the returned
    /// alarm is cancelled first.
    func alarm(at deadline: Timestamp, _ wake: @escaping @Sendable () -> Void) -> ClockAlarm
}
extension WallClock {
    /// Suspends until the clock has moved on by `duration`.
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    public func sleep(for duration: Duration) async throws {
        let deadline = now() + duration
        let done = Mutex<CheckedContinuation<Void, any Error>?>(nil)
        let alarm = Mutex<ClockAlarm?>(nil)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                done.withLock { $0 = continuation }
                let set = self.alarm(at: deadline) {
                    done.withLock { $0.take() }?.resume()
                }
                alarm.withLock { $0 = set }
                if Task.isCancelled {
                    set.cancel()
                    done.withLock { $0.take() }?.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            alarm.withLock { $0 }?.cancel()
            done.withLock { $0.take() }?.resume(throwing: CancellationError())
        }
    }
}
/// An alarm set on a clock: cancelling it stops it from waking its waiter (if it has not already).
public struct ClockAlarm: Sendable {
    private let cancelAction: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) {
        cancelAction = cancel
    }

    public func cancel() {
        cancelAction()
    }
}
