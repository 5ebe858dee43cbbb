import Foundation
import Queue
import Workers

/// Completes every job at once.
package struct NoopHandler: JobHandler {
    package init() {}

    package func run(_ job: ClaimedJob) async -> JobResult {
        .complete
    }
}
