import CCurl
import Foundation
import Synchronization

/// Sends HTTP requests through libcurl's multi interface, all of them driven by one thread of its own
/// that shares one connection cache among them.
///
/// The thread lives as long as the process: make one client per process (a worker makes one), not one
/// per request. libcurl's calls never run on Swift's cooperative pool. The client never retries: whether
/// a request may be sent again is for the job layer to decide (a chat message sent twice is two
/// messages).
public final class HTTPClient: Sendable {
    private struct Pending {
        let request: HTTPRequest
        let cancelled: CancellationFlag
        let continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>
    }

    private let multi = CurlMulti()
    private let arrivals = Mutex<[Pending]>([])

    /// - Parameter maxInFlight: how many requests may be in flight at once; the others wait their turn.
    public init(maxInFlight: Int) {
        let thread = Thread { [self] in drive(maxInFlight: max(maxInFlight, 1)) }
        thread.name = "switchboard.http"
        thread.start()
    }

    /// Sends a request and waits for its response. Cancelling the calling task aborts the transfer.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let cancelled = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                arrivals.withLock {
                    $0.append(Pending(request: request, cancelled: cancelled, continuation: continuation))
                }
                multi.wakeUp()
            }
        } onCancel: {
            cancelled.cancel()
            multi.wakeUp()
        }
        return try result.get()
    }

    private static let cancelled = HTTPError(code: .cancelled, message: "the request was cancelled")

    /// The thread's life: start the requests that arrived (up to `maxInFlight` at once), move every
    /// transfer along, hand back those that ended, and wait for the next thing to do.
    private func drive(maxInFlight: Int) {
        var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var waiting: [Pending] = []
        while true {
            waiting += arrivals.withLock { arrived in
                defer { arrived = [] }
                return arrived
            }
            waiting.removeAll { pending in
                guard pending.cancelled.isCancelled else { return false }
                pending.continuation.resume(returning: .failure(Self.cancelled))
                return true
            }
            for (easy, transfer) in running where transfer.cancelled.isCancelled {
                running[easy] = nil
                multi.remove(easy)
                transfer.continuation.resume(returning: .failure(Self.cancelled))
            }
            while running.count < maxInFlight, !waiting.isEmpty {
                let next = waiting.removeFirst()
                do {
                    let transfer = try CurlTransfer(
                        next.request, cancelled: next.cancelled, continuation: next.continuation)
                    guard multi.add(transfer.handle) else {
                        next.continuation.resume(
                            returning: .failure(HTTPError(code: .other, message: "libcurl refused the transfer")))
                        continue
                    }
                    running[transfer.handle] = transfer
                } catch {
                    next.continuation.resume(returning: .failure(error))
                }
            }
            multi.perform()
            for (easy, result) in multi.ended() {
                guard let transfer = running.removeValue(forKey: easy) else { continue }
                multi.remove(easy)
                transfer.continuation.resume(returning: transfer.outcome(result))
            }
            if running.count < maxInFlight && !waiting.isEmpty {
                continue
            }
            multi.wait(milliseconds: 1_000)
        }
    }
}
