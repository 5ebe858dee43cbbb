import Foundation
import Synchronization

/// A clock that moves only when told to (`advance(by:)`): its alarms, and so every `sleep`, wait until
/// it is advanced past them. Tests of time drive it instead of sleeping.
public final class ManualClock: WallClock {
    private struct State {
        var now: Timestamp
        var alarms: [(id: Int, deadline: Timestamp, wake: @Sendable () -> Void)] = []
        var nextID = 0
        /// Callers of `nextAlarm()` waiting for an alarm to be set.
        var watchers: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    public init(_ start: Timestamp = Timestamp(millisecondsSince1970: 1_700_000_000_000)) {
        state = Mutex(State(now: start))
    }

    public func now() -> Timestamp {
        state.withLock { $0.now }
    }

    public func alarm(at deadline: Timestamp, _ wake: @escaping @Sendable () -> Void) -> ClockAlarm {
        let (id, due, watchers) = state.withLock { state -> (Int, Bool, [CheckedContinuation<Void, Never>]) in
            if deadline <= state.now { return (-1, true, []) }
            state.nextID += 1
            state.alarms.append((state.nextID, deadline, wake))
            defer { state.watchers.removeAll() }
            return (state.nextID, false, state.watchers)
        }
        if due {
            wake()
        }
        watchers.forEach { $0.resume() }
        return ClockAlarm { [weak self] in
            self?.state.withLock { $0.alarms.removeAll { $0.id == id } }
        }
    }

    /// Moves the clock on, waking every alarm it passes, earliest first.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [@Sendable () -> Void] in
            state.now = state.now + duration
            let now = state.now
            let due = state.alarms.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.alarms.removeAll { $0.deadline <= now }
            return due.map(\.wake)
        }
        due.forEach { $0() }
    }

    /// The earliest alarm set, once one is: what a test advances to, to let whatever waits on it go on.
    /// A cancelled caller gets the current time.
    public func nextAlarm() async -> Timestamp {
        while !Task.isCancelled {
            if let earliest = state.withLock({ $0.alarms.map(\.deadline).min() }) {
                return earliest
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let waiting = state.withLock { state -> Bool in
                        guard state.alarms.isEmpty, !Task.isCancelled else { return false }
                        state.watchers.append(continuation)
                        return true
                    }
                    if !waiting {
                        continuation.resume()
                    }
                }
            } onCancel: {
                let watchers = state.withLock { state in
                    defer { state.watchers.removeAll() }
                    return state.watchers
                }
                watchers.forEach { $0.resume() }
            }
        }
        return now()
    }

    /// Waits for the next alarm to be set, then advances the clock to it.
    public func advanceToNextAlarm() async {
        let deadline = await nextAlarm()
        advance(by: max(deadline - now(), .zero))
    }
}
