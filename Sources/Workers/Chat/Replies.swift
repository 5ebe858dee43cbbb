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

    /// The line a chat reads in place of a file of the answer that could not be sent.
    static func unsentNote(_ fileName: String, because reason: String) -> String {
        "(\(fileName) could not be sent: \(reason))"
    }

    /// - Parameters:
    ///   - files: the answer's files, sent after its text, each in a message of its own (with its caption
    ///     where the provider carries one, else after a text message of it); one the provider would not
    ///     take, or that could not be kept, is a note saying so instead.
    ///   - recordKeeping: add the reply to the conversation's history (an agent's answer, not a notice
    ///     about linking or a failure), keeping that many of its newest messages; nil records nothing.
    ///   - shown: the messages a live reply sent for the turn. The last chunk is always a job, even when
    ///     it shows its final text already: the reply's history entry is written with it.
    static func deliveries(
        _ text: String, files: [KeptAnswerFile] = [], to event: InboundEvent, turn: Int64, queue: String,
        recordKeeping: Int?, over shown: LiveMessages = LiveMessages()
    ) -> [NewJob] {
        let limit = TextLimit.of(event.provider)
        let chunks = Chunker.chunks(text, limit: limit)
        // Each message's text and file; the text's chunks first, each with whether a live reply shows it.
        var messages: [(text: String, file: OutboundFile?, replacing: String?, shown: Bool)] = chunks.enumerated().map {
            index, chunk in
            (chunk, nil, shown.id(at: index), index < chunks.count - 1 && shown.shows(chunk, at: index))
        }
        let limits = event.provider.api.fileLimits(to: event.replyTarget)
        for file in files {
            let (name, caption, refusal, sendable): (String, String, String?, OutboundFile?) =
                switch file {
                case .unsent(let name, let reason, let caption): (name, caption ?? "", reason, nil)
                case .kept(let file, let caption):
                    if let reason = limits.refusal(of: file, by: event.provider) {
                        (file.fileName, caption ?? "", reason, nil)
                    } else {
                        (file.fileName, caption ?? "", nil, limits.sendable(file))
                    }
                }
            if let sendable, limits.carries(caption) {
                messages.append((caption, sendable, nil, false))
            } else {
                // The caption as text first; a file that will not go is then a note: the chat still reads
                // what it said.
                messages += Chunker.chunks(caption, limit: limit).map { ($0, nil, nil, false) }
                messages.append((refusal.map { unsentNote(name, because: $0) } ?? "", sendable, nil, false))
            }
        }
        var jobs: [NewJob] = []
        for (index, message) in messages.enumerated() where !message.shown {
            var outbound = OutboundMessage(
                provider: event.provider, target: event.replyTarget, text: message.text, part: index + 1,
                parts: messages.count, turnID: turn, replacing: message.replacing)
            outbound.file = message.file
            jobs.append(
                NewJob(
                    queue: queue, kind: ChatJob.deliver, payload: outbound.payload, priority: deliveryPriority,
                    groupKey: group(of: event)))
        }
        if let kept = recordKeeping, !jobs.isEmpty {
            let sent = messages.compactMap { $0.file.map { "\n[file: \($0.fileName)]" } }
            jobs[0].attachments = [
                ConversationMessage(
                    conversation: event.conversationKey, role: .assistant, text: text + sent.joined(), kept: kept)
            ]
        }
        return jobs
    }
}
