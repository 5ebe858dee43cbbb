import Queue
import Synchronization

/// Wakes one waiting task early, or lets it wait until a deadline of the worker's clock: the worker
/// loop's only way to idle.
///
/// A signal sent while nobody waits is kept, so the next `wait` returns at once and no wake-up is lost.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var alarm: ClockAlarm?
    }

    private let state = Mutex(State())

    func signal() {
        let (waiter, alarm) = state.withLock { state in
            guard let waiter = state.waiter else {
                state.pending = true
                return (nil as CheckedContinuation<Void, Never>?, nil as ClockAlarm?)
            }
            defer { (state.waiter, state.alarm) = (nil, nil) }
            return (waiter, state.alarm)
        }
        alarm?.cancel()
        waiter?.resume()
    }

    /// Returns on the next signal, or when `clock` reaches `deadline`, whichever comes first.
    func wait(until deadline: Timestamp, clock: any WallClock) async {
        await withCheckedContinuation { continuation in
            let signalled = state.withLock { state in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if signalled {
                continuation.resume()
                return
            }
            let alarm = clock.alarm(at: deadline) { [self] in
                let waiter = state.withLock { state in
                    defer { (state.waiter, state.alarm) = (nil, nil) }
                    return state.waiter
                }
                waiter?.resume()
            }
            // The alarm may have fired (or a signal come) already; keep it only while its wait stands.
            let stale = state.withLock { state in
                guard state.waiter != nil else { return true }
                state.alarm = alarm
                return false
            }
            if stale {
                alarm.cancel()
            }
        }
    }
}
