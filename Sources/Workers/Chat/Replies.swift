import ChatStore
import Enqueuer
import Queue

/// Turns a reply into delivery jobs: one per chunk the provider accepts, grouped per conversation so
/// the chunks (and later replies) arrive in order, ahead of new turns.
enum Replies {
    /// Deliveries run before turns waiting in the same queue: finish answering before starting anew.
    static let deliveryPriority = 1

    /// - Parameter recordKeeping: add the reply to the conversation's history (an agent's answer, not a
    ///   notice about linking or a failure), keeping that many of its newest messages; nil records nothing.
    static func deliveries(_ text: String, to event: InboundEvent, turn: Int64, queue: String, recordKeeping: Int?)
        -> [NewJob]
    {
        let chunks = Chunker.chunks(text, limit: TextLimit.of(event.provider))
        return chunks.enumerated().map { index, chunk in
            let message = OutboundMessage(
                provider: event.provider, target: event.replyTarget, text: chunk, part: index + 1, parts: chunks.count,
                turnID: turn
            )
            var job = NewJob(
                queue: queue,
                kind: ChatJob.deliver,
                payload: message.payload,
                priority: deliveryPriority,
                groupKey: "deliver/" + event.conversationKey
            )
            if let kept = recordKeeping, index == 0 {
                job.attachments = [
                    ConversationMessage(conversation: event.conversationKey, role: .assistant, text: text, kept: kept)
                ]
            }
            return job
        }
    }
}
