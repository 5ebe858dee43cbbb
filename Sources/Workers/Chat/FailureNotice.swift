import Enqueuer
import Foundation
import Queue

/// Tells the user a turn or link job failed for good: enqueued by the store when it dead-lettered them.
/// Where a live reply of the turn sent a message (the checkpoint the notice inherits), the notice
/// replaces its text.
enum FailureNotice {
    static let text = "Sorry, something went wrong while answering. Please try again."

    static func run(_ job: ClaimedJob) -> JobResult {
        guard let event = try? ChatJob.decode(job.payload).event else {
            return .fail("failure notice payload is not a chat job's", retryable: false)
        }
        return JobResult(
            .complete,
            effects: SettlementEffects(
                enqueue: Replies.deliveries(
                    text, to: event, turn: job.id, queue: job.queue, recordKeeping: nil,
                    over: LiveMessages(checkpoint: job.checkpoint))
            ))
    }
}
