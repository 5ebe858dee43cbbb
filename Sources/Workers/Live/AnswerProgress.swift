import Synchronization

/// The text of an answer so far, as a streaming agent produces it, for the one reader that shows it
/// while it grows. Only the latest text is kept: a reader that falls behind skips to it (edits coalesce).
public final class AnswerProgress: Sendable {
    private struct State {
        var text = ""
        var version = 0
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Replaces the text so far (the whole answer up to now, not a delta).
    public func update(_ text: String) {
        state.withLock { state in
            state.text = text
            state.version += 1
            state.waiter.take()?.resume()
        }
    }

    /// Ends the answer: a reader waiting for more text is told there is none.
    func finish() {
        state.withLock { state in
            state.finished = true
            state.waiter.take()?.resume()
        }
    }

    /// The latest text now, with its version, without waiting; nil once the answer finished.
    func latest() -> (text: String, version: Int)? {
        state.withLock { state in state.finished ? nil : (state.text, state.version) }
    }

    /// The latest text once it is newer than `version`, with its version; nil once the answer finished
    /// (the whole answer goes out another way) or the reader was cancelled.
    func next(after version: Int) async -> (text: String, version: Int)? {
        while true {
            let latest = state.withLock { state -> (text: String, version: Int)?? in
                if state.finished { return .some(nil) }
                return state.version > version ? .some((state.text, state.version)) : nil
            }
            if let latest { return latest }
            if Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state in
                        guard state.version <= version, !state.finished, state.waiter == nil else { return true }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                state.withLock { $0.waiter.take() }?.resume()
            }
        }
    }
}
