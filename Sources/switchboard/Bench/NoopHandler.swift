import Foundation
import Queue
import Synchronization
import Workers

/// Completes every job at once.
struct NoopHandler: JobHandler {
    func run(_ job: ClaimedJob) async -> JobResult {
        .complete
    }
}
