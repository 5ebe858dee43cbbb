import Enqueuer
import Foundation
import Queue

/// Shows an answer in the chat while the agent writes it, on providers that can edit a sent message:
/// the first text is sent as soon as there is some, then the message is edited as the text grows. Edits
/// are coalesced (only the latest text goes) and paced per chat, through the same send slots as every
/// reply; text past the provider's limit continues in a new message, cut where the chunker cuts.
///
/// Nothing it sends is the final answer: when the agent finishes, the turn completes with delivery jobs
/// that put the final text in place, durably. The id of every message it sends is saved as the turn's
/// checkpoint as soon as the send returns, so the turn's next attempt edits those messages.
///
/// Where a provider limits how often one message may be edited (Feishu: 20), an attempt edits a message
/// it sent at most half that many times, and leaves messages an earlier attempt sent to the final
/// delivery, so the edits that must land (the final text, a failure notice) always have room.
struct LiveReply: Sendable {
    /// The least time between two sends to one chat while streaming: at most one edit a second.
    static let editSpacing = Duration.seconds(1)
    /// How often it looks again whether the conversation's earlier replies have gone out.
    static let queuedRepliesPoll = Duration.milliseconds(250)

    let sender: ReplySender
    let event: InboundEvent
    let job: ClaimedJob
    /// How much of the answer the chat is shown.
    let limit: AnswerLimit
    /// Stops the typing indicator: called just before the first text is sent.
    let stopTyping: @Sendable () -> Void

    /// What a live reply leaves: the messages the chat shows, and a worker event for each send.
    struct Outcome: Sendable {
        var messages: LiveMessages
        var events: [String] = []
    }

    /// How one send went, for the loop.
    private enum Sent: Sendable {
        case shown(id: String)
        /// Told to slow down: the chat is held, and the next send waits for it.
        case held
        /// Refused, failed or the lease is lost: streaming stops; the final delivery still comes.
        case stopped
    }

    /// The part of the text to send next: the first the chat does not show yet and may still be edited.
    private struct Part {
        var text: String
        var index: Int
        var count: Int
    }

    /// What this attempt has shown so far, for choosing the next part.
    private struct Attempt {
        var outcome: Outcome
        /// Parts an earlier attempt sent: the final delivery edits them where edits are limited.
        let inherited: Int
        /// Edits of each part by this attempt.
        var edits: [Int: Int] = [:]
    }

    /// Shows each text `progress` reports until it finishes, or until this task is cancelled; returns
    /// what the chat shows then. Messages an earlier attempt sent (the job's checkpoint) are edited.
    /// Every wait (the pace, the chat's slot) comes before the text is read: a send carries the text as
    /// it is when the send leaves. A send in flight when it is cancelled is finished, so its message's id
    /// is never lost.
    func show(_ progress: AnswerProgress) async -> Outcome {
        let shown = LiveMessages(checkpoint: job.checkpoint)
        var state = Attempt(outcome: Outcome(messages: shown), inherited: shown.ids.count)
        guard sender.edits(event.provider, to: event.replyTarget) else { return state.outcome }
        let spacing = max(RateBuckets.of(draft("", part: 1, parts: 1)).chat.interval, Self.editSpacing)
        let clock = sender.store.clock
        let editLimit = sender.editsPerMessage(event.provider).map { $0 / 2 }
        var version = 0
        var lastSend: Timestamp?
        // Looked at once there is text to send: a turn whose agent does not stream costs nothing here.
        var earlierRepliesChecked = false
        while let latest = await progress.next(after: version) {
            version = latest.version
            // Until the chat shows the latest text (or the part it needs cannot be edited any more).
            while let current = progress.latest(), nextPart(of: current.text, state, editLimit: editLimit) != nil {
                if !earlierRepliesChecked {
                    guard await earlierRepliesSent() else { return state.outcome }
                    earlierRepliesChecked = true
                }
                do {
                    if let lastSend, lastSend + spacing > clock.now() {
                        try await clock.sleep(for: lastSend + spacing - clock.now())
                    }
                    // The chat's slot, whatever the text: it is read after the slot is taken.
                    while let wait = try await sender.waitForTurn(
                        draft("", part: 1, parts: 1), spacing: spacing, longestWait: spacing)
                    {
                        try await clock.sleep(for: wait)
                    }
                } catch {
                    return state.outcome // cancelled: the agent has finished
                }
                // The text now, after the waits: what streamed meanwhile goes with this send.
                guard let now = progress.latest() else { return state.outcome }
                version = now.version
                guard let part = nextPart(of: now.text, state, editLimit: editLimit) else { break }
                let message = draft(
                    part.text, part: part.index + 1, parts: part.count,
                    replacing: state.outcome.messages.id(at: part.index))
                if message.replacing == nil && state.outcome.messages.ids.isEmpty { stopTyping() }
                // Not cancelled with the task: a send cut off could leave a message whose id is never saved.
                let sending = state.outcome.messages
                let (sent, event) = await Task(operation: { await deliver(message, after: sending) }).value
                state.outcome.events.append(event)
                lastSend = clock.now()
                switch sent {
                case .shown(let id):
                    if message.replacing != nil { state.edits[part.index, default: 0] += 1 }
                    state.outcome.messages.record(part.text, at: part.index, id: id)
                case .held:
                    continue // the next pass waits out the hold, then sends the text as it is then
                case .stopped:
                    return state.outcome
                }
            }
        }
        return state.outcome
    }

    /// The first part of `text`, cut to the answer's limit, that the chat does not show yet and that this
    /// attempt may still send or edit; nil when there is none, or only spaces so far (providers refuse a
    /// message without text).
    private func nextPart(of text: String, _ state: Attempt, editLimit: Int?) -> Part? {
        let text = limit.streaming(text)
        guard text.contains(where: { !$0.isWhitespace }) else { return nil }
        let chunks = Chunker.chunks(text, limit: TextLimit.of(event.provider))
        let messages = state.outcome.messages
        for (index, chunk) in chunks.enumerated() where !messages.shows(chunk, at: index) {
            if let editLimit, index < messages.ids.count,
                index < state.inherited || state.edits[index, default: 0] >= editLimit
            {
                continue // the final delivery edits it
            }
            return Part(text: chunk, index: index, count: chunks.count)
        }
        return nil
    }

    /// Sends one part (or edits it) and, for a new message, saves its id with the others as the turn's
    /// checkpoint; returns how it went, with its worker event.
    private func deliver(_ message: OutboundMessage, after shown: LiveMessages) async -> (Sent, event: String) {
        let (outcome, holds) = await sender.send(message, spacing: Self.editSpacing)
        let event = outcome.event(sending: message.provider)
        try? await sender.store.hold(holds)
        switch outcome {
        case .delivered(let id?):
            if message.replacing == nil {
                var saved = shown
                saved.record(message.text, at: message.part - 1, id: id)
                do {
                    try await sender.store.checkpoint(job.lease, saved.checkpoint)
                } catch {
                    return (.stopped, event)
                }
            }
            return (.shown(id: id), event)
        case .slowDown:
            return (.held, event)
        case .delivered(nil), .retry, .reject:
            return (.stopped, event)
        }
    }

    /// Waits until the conversation's earlier replies have gone out (a message sent beside them could
    /// overtake them); false when cancelled first.
    private func earlierRepliesSent() async -> Bool {
        do {
            while try await sender.store.hasLiveJobs(inGroup: Replies.group(of: event)) {
                try await sender.store.clock.sleep(for: Self.queuedRepliesPoll)
            }
            return true
        } catch {
            return false
        }
    }

    private func draft(_ text: String, part: Int, parts: Int, replacing: String? = nil) -> OutboundMessage {
        var draft = OutboundMessage(
            provider: event.provider, target: event.replyTarget, text: text, part: part, parts: parts, turnID: job.id,
            replacing: replacing)
        draft.isDraft = true
        return draft
    }
}
