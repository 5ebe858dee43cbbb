import Dispatch
import Synchronization

/// Wakes one waiting task early, or lets it sleep out a timeout: the coordinator's only way to idle.
///
/// A signal sent while nobody waits is kept, so the next `wait` returns at once and no wake-up is lost.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Tells a timer whether the wait it was set for is still the current one.
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil as CheckedContinuation<Void, Never>?
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns on the next signal, or after `timeout`, whichever comes first.
    func wait(timeout: Duration) async {
        await withCheckedContinuation { continuation in
            let generation = state.withLock { state -> UInt64? in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.generation += 1
                state.waiter = continuation
                return state.generation
            }
            guard let generation else {
                continuation.resume()
                return
            }
            let nanoseconds = max(timeout.wholeNanoseconds, 0)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) {
                let waiter = self.state.withLock { state in
                    guard state.generation == generation, let waiter = state.waiter else {
                        return nil as CheckedContinuation<Void, Never>?
                    }
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume()
            }
        }
    }
}
