import ChatStore
import Enqueuer
import Foundation
import Queue

/// Turns a reply into delivery jobs: one per chunk the provider accepts, grouped per conversation so
/// the chunks (and later replies) arrive in order, ahead of new turns. Where a live reply already shows
/// part of it, a chunk is an edit of that message, and one already showing its final text is skipped.
enum Replies {
    /// Deliveries run before turns waiting in the same queue: finish answering before starting anew.
    static let deliveryPriority = 1

    /// The group of a conversation's deliveries.
    static func group(of event: InboundEvent) -> String {
        "deliver/" + event.conversationKey
    }

    /// - Parameters:
    ///   - recordKeeping: add the reply to the conversation's history (an agent's answer, not a notice
    ///     about linking or a failure), keeping that many of its newest messages; nil records nothing.
    ///   - shown: the messages a live reply sent for the turn. The last chunk is always a job, even when
    ///     it shows its final text already: the reply's history entry is written with it.
    static func deliveries(
        _ text: String, to event: InboundEvent, turn: Int64, queue: String, recordKeeping: Int?,
        over shown: LiveMessages = LiveMessages()
    ) -> [NewJob] {
        let chunks = Chunker.chunks(text, limit: TextLimit.of(event.provider))
        var jobs = chunks.enumerated().compactMap { index, chunk -> NewJob? in
            guard index == chunks.count - 1 || !shown.shows(chunk, at: index) else { return nil }
            let message = OutboundMessage(
                provider: event.provider, target: event.replyTarget, text: chunk, part: index + 1, parts: chunks.count,
                turnID: turn, replacing: shown.id(at: index)
            )
            return NewJob(
                queue: queue, kind: ChatJob.deliver, payload: message.payload, priority: deliveryPriority,
                groupKey: group(of: event)
            )
        }
        if let kept = recordKeeping, !jobs.isEmpty {
            jobs[0].attachments = [
                ConversationMessage(conversation: event.conversationKey, role: .assistant, text: text, kept: kept)
            ]
        }
        return jobs
    }
}
