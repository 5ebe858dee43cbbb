import Foundation
import Synchronization
import Workers

/// SIGTERM, SIGINT and SIGHUP for a command that runs until stopped, watched from its first moment: each
/// delivery goes to the handler set last, and one that comes while no handler is set is kept and given to
/// the next, so a signal is never lost while the command moves from waiting for its database to running.
final class StopSignals: Sendable {
    private final class Deliveries: Sendable {
        struct State {
            var kept: [Int32] = []
            var handler: (@Sendable (Int32) -> Void)?
            var received = false
        }

        let state = Mutex(State())

        func deliver(_ number: Int32) {
            let handler = state.withLock { state -> (@Sendable (Int32) -> Void)? in
                state.received = true
                if state.handler == nil {
                    state.kept.append(number)
                }
                return state.handler
            }
            handler?(number)
        }
    }

    private let deliveries: Deliveries
    /// Held for the command's life: while it lives, the signals come here instead of ending the process.
    private let watcher: SignalWatcher

    init() {
        let deliveries = Deliveries()
        self.deliveries = deliveries
        watcher = SignalWatcher { deliveries.deliver($0) }
    }

    /// Whether any stop signal has come.
    var received: Bool {
        deliveries.state.withLock { $0.received }
    }

    /// Sets what each signal does from now on (nil keeps them for the next handler); the signals kept so
    /// far are given to `handler` at once, in order.
    func handle(_ handler: (@Sendable (Int32) -> Void)?) {
        let kept = deliveries.state.withLock { state -> [Int32] in
            state.handler = handler
            guard handler != nil else { return [] }
            defer { state.kept = [] }
            return state.kept
        }
        for number in kept {
            handler?(number)
        }
    }
}
