import Foundation
import Synchronization

/// Sends HTTP requests through libcurl on a fixed set of threads of its own, each with one easy handle.
///
/// libcurl's `perform` blocks its thread for the whole request; running it here keeps it off Swift's
/// cooperative pool. The threads live as long as the process: make one client per process (a worker
/// makes one), not one per request. The client never retries: whether a request may be sent again is
/// for the job layer to decide (a chat message sent twice is two messages).
public final class HTTPClient: Sendable {
    private struct Pending {
        let request: HTTPRequest
        let cancelled: CancellationFlag
        let continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>
    }

    private struct State {
        var pending: [Pending] = []
        var waitingThreads = 0
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// - Parameter threads: how many requests may be in flight at once.
    public init(threads: Int) {
        for index in 0..<max(threads, 1) {
            let thread = Thread { [self] in serve() }
            thread.name = "switchboard.http.\(index)"
            thread.start()
        }
    }

    /// Sends a request and waits for its response. Cancelling the calling task aborts the transfer.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let cancelled = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                state.withLock {
                    $0.pending.append(Pending(request: request, cancelled: cancelled, continuation: continuation))
                }
                available.signal()
            }
        } onCancel: {
            cancelled.cancel()
        }
        return try result.get()
    }

    /// One thread's life: take the next request, perform it on this thread's handle, hand back the result.
    private func serve() {
        let easy = CurlEasy()
        while true {
            available.wait()
            guard let next = state.withLock({ $0.pending.isEmpty ? nil : $0.pending.removeFirst() }) else { continue }
            next.continuation.resume(returning: easy.perform(next.request, cancelled: next.cancelled))
        }
    }
}
