import CSystem
import Dispatch
import Foundation
import Synchronization

/// Interrupts the thread that made it, from `after` on, every 20 ms until cancelled: a deadline for a
/// blocking call that has none. After `cancel` returns, no more signals are sent.
final class ThreadAlarm {
    private final class State: Sendable {
        private struct Flags {
            var fired = false
            var cancelled = false
        }

        private let flags = Mutex(Flags())

        var hasFired: Bool { flags.withLock { $0.fired } }

        /// Interrupts `thread` unless cancelled; under the lock, so `cancel` cannot return while a signal
        /// is on its way.
        func fire(at thread: pthread_t) {
            flags.withLock { flags in
                guard !flags.cancelled else { return }
                flags.fired = true
                _ = sb_interrupt_thread(thread)
            }
        }

        func cancel() {
            flags.withLock { $0.cancelled = true }
        }
    }

    private let state = State()
    private let timer: any DispatchSourceTimer

    init(after delay: Duration) {
        let thread = pthread_self()
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(
            deadline: .now() + .nanoseconds(Int(delay.wholeNanoseconds)), repeating: .milliseconds(20),
            leeway: .milliseconds(5)
        )
        timer.setEventHandler { [state] in state.fire(at: thread) }
        timer.resume()
    }

    var hasFired: Bool { state.hasFired }

    func cancel() {
        state.cancel()
        timer.cancel()
    }
}
@available(*, unavailable)
extension ThreadAlarm: Sendable {}
