import Foundation
import JSON
import Queue
import Synchronization
import Workers

/// Completes every job, noting how long ago its payload's `t` (nanoseconds since 1970) was.
package final class LatencyRecorder: JobHandler {
    private struct State {
        var nanoseconds: [Int64] = []
        var target = Int.max
        var onTarget: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    package init() {}

    package func onCount(_ target: Int, _ action: @escaping @Sendable () -> Void) {
        state.withLock {
            $0.target = target
            $0.onTarget = action
        }
    }

    package func run(_ job: ClaimedJob) async -> JobResult {
        let now = QueueBenchmark.wallNanoseconds()
        let sent = StampedPayload(payload: job.payload)?.t ?? now
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            state.nanoseconds.append(now - sent)
            return state.nanoseconds.count == state.target ? state.onTarget : nil
        }
        action?()
        return .complete
    }

    package var millisecondsSorted: [Double] {
        state.withLock { $0.nanoseconds }.sorted().map { Double($0) / 1e6 }
    }
}
/// The payload of a latency-benchmark job: when it was enqueued.
package struct StampedPayload {
    package var t: Int64

    package init(t: Int64) {
        self.t = t
    }

    package init?(payload: Data) {
        guard let t = (try? JSONParser.parse(payload))?.objectValue?["t"]?.integerValue else { return nil }
        self.t = t
    }

    package var payload: Data {
        JSONValue.object(["t": t]).serialized
    }
}
