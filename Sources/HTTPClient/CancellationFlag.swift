import Synchronization

/// Tells the transfer thread that a request's caller gave up on it: the thread drops the transfer when
/// it next runs (a `send` that is cancelled wakes it).
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    var isCancelled: Bool {
        cancelled.load(ordering: .relaxed)
    }
}
