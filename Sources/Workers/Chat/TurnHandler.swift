import ChatStore
import Enqueuer
import Foundation
import Queue

/// Answers an inbound message: resolve its owner, ask the agent, and complete the turn together with
/// the reply's history entry and its delivery jobs, in one transaction. A turn retried after that
/// commit cannot exist: the commit is what ends it.
///
/// Messages that arrived while the conversation's previous turn ran wait behind this one; the turns
/// directly behind it are answered with it, in one agent call and one reply, and completed in the same
/// transaction.
struct TurnHandler {
    /// The most follow-ups one turn answers.
    static let maxFollowUps = 20

    let store: JobStore
    let chat: ChatStore
    let agent: any Agent
    let configuration: ChatConfiguration
    let typing: TypingIndicator
    let sender: ReplySender
    /// Fetches the files the messages carry, before the agent is asked.
    let attachments: AttachmentFetcher
    /// Told what an operator should know of a turn (never its text).
    let notify: @Sendable (ChatNotice) -> Void

    private var limit: AnswerLimit {
        AnswerLimit(maximum: configuration.maxAnswerCharacters)
    }

    func run(_ job: ClaimedJob) async -> JobResult {
        let first: InboundEvent
        do {
            first = try ChatJob.decode(job.payload).event
        } catch {
            return .fail("turn payload: \(error)", retryable: false)
        }
        let followUps: [(id: Int64, event: InboundEvent)]
        do {
            followUps = try await waitingTurns(behind: job)
        } catch {
            return .fail("reading follow-ups: \(error)", retryable: true)
        }
        // The reply quotes the latest message; the agent is given all of them.
        let event = followUps.last?.event ?? first
        let message = ([first] + followUps.map(\.event)).map(\.text).joined(separator: "\n")
        let absorbed = followUps.map(\.id)
        let owner: String
        switch configuration.links {
        case .open(let defaultOwner):
            owner = defaultOwner
        case .required(let linkBaseURL):
            do {
                let resolution = try await chat.resolveOwner(
                    provider: event.provider.rawValue, workspace: event.workspaceID, sender: event.senderID,
                    isDirect: event.isDirect
                )
                guard let account = resolution.account else {
                    let instructions = try await linkInstructions(for: event, linkBaseURL: linkBaseURL)
                    return reply(instructions, to: event, job: job, record: false, absorbing: absorbed)
                }
                owner = account
            } catch {
                return .fail("resolving the owner: \(error)", retryable: true)
            }
        }
        let answered = [job.id] + absorbed
        let history: [HistoryMessage]
        do {
            // The messages answered are among the newest: read enough to leave `historyLimit` without them.
            history = try await chat.history(
                conversation: event.conversationKey, limit: configuration.historyLimit + answered.count)
        } catch {
            return .fail("reading history: \(error)", retryable: true)
        }
        return await answer(
            AgentTurn(
                turnID: job.id, owner: owner, conversation: event.conversationKey, message: message,
                history: Self.earlier(history, answering: answered, limit: configuration.historyLimit)),
            fetching: [first] + followUps.map(\.event), to: event, job: job, absorbing: absorbed)
    }

    /// The conversation before the messages a turn answers (the turns `answered`, which are its `message`):
    /// without them, and without users' messages that came after them and wait for a later turn. Replies
    /// stay wherever they fall: the reply to an earlier turn is recorded when that turn completes, after
    /// any message that arrived while it ran.
    static func earlier(_ history: [HistoryMessage], answering answered: [Int64], limit: Int) -> [HistoryMessage] {
        guard let first = answered.min() else { return Array(history.suffix(limit)) }
        return Array(history.filter { $0.role == .assistant || ($0.jobID ?? .min) < first }.suffix(limit))
    }

    /// Fetches the files of the messages answered (`events`) and asks the agent, with the chat showing the
    /// bot typing and then the answer as it grows, and completes the turn with the deliveries that put the
    /// final answer in place, cut to the limit. A turn whose earlier attempt showed part of the answer
    /// already (its checkpoint names a message) gets no typing: the chat shows the answer coming.
    private func answer(
        _ turn: AgentTurn, fetching events: [InboundEvent], to event: InboundEvent, job: ClaimedJob,
        absorbing absorbed: [Int64]
    ) async -> JobResult {
        let shownBefore = !LiveMessages(checkpoint: job.checkpoint).ids.isEmpty
        let typing = shownBefore ? nil : self.typing.start(in: event)
        defer { typing?.cancel() }
        var turn = turn
        do {
            // Under the typing indicator: files can take a while.
            turn.attachments = try await attachments.fetch(events, lastAttempt: job.attempt >= job.maxAttempts)
        } catch {
            return .fail("fetching attachments: \(error.reason)", retryable: true)
        }
        let progress = AnswerProgress()
        let live = Task { [limit] in
            await LiveReply(sender: sender, event: event, job: job, limit: limit, stopTyping: { typing?.cancel() })
                .show(progress)
        }
        let answer: Result<AgentAnswer, AgentError>
        do {
            answer = .success(try await agent.reply(to: turn, progress: progress))
        } catch {
            answer = .failure(error)
        }
        // The live reply stops (a send in flight is finished); the final text goes by the deliveries.
        progress.finish()
        live.cancel()
        let shown = await live.value
        typing?.cancel()
        switch answer {
        case .success(let whole):
            let (text, omitted) = limit.apply(whole.text)
            if omitted > 0 {
                notify(.answerCut(job: job.id, kept: limit.maximum, omitted: omitted))
            }
            let files = await attachments.keep(whole.files) { reason in
                notify(.answerFileNotKept(job: job.id, reason: reason))
            }
            // Stopped while fetching them: the files that were not fetched would be notes; try again later.
            if Task.isCancelled {
                return JobResult(.release, events: shown.events)
            }
            var result = reply(
                text, files: files, to: event, job: job, record: true, absorbing: absorbed, over: shown.messages)
            result.events = shown.events
            return result
        case .failure(let error):
            return JobResult(.fail(error: error.description, retryable: error.retryable), events: shown.events)
        }
    }

    private func reply(
        _ text: String, files: [KeptAnswerFile] = [], to event: InboundEvent, job: ClaimedJob, record: Bool,
        absorbing: [Int64], over shown: LiveMessages = LiveMessages()
    ) -> JobResult {
        JobResult(
            .complete,
            effects: SettlementEffects(
                enqueue: Replies.deliveries(
                    text, files: files, to: event, turn: job.id, queue: job.queue,
                    recordKeeping: record ? configuration.historyKept : nil, over: shown
                ),
                absorb: absorbing
            ))
    }

    /// The turns waiting directly behind this one in its conversation, up to the first job of another
    /// kind (a link command), so nothing is answered out of order.
    private func waitingTurns(behind job: ClaimedJob) async throws -> [(id: Int64, event: InboundEvent)] {
        guard let group = job.groupKey else { return [] }
        var turns: [(id: Int64, event: InboundEvent)] = []
        for waiting in try await store.blocked(inGroup: group, limit: Self.maxFollowUps) {
            guard waiting.kind == ChatJob.turn, let event = try? ChatJob.decode(waiting.payload).event else { break }
            turns.append((waiting.id, event))
        }
        return turns
    }

    /// How an unlinked chat can link: a link-token URL when a base is configured (a server link for a
    /// group, a user link for a direct message), else the connect-code instruction.
    private func linkInstructions(for event: InboundEvent, linkBaseURL: String?) async throws -> String {
        let codeInstruction =
            "This chat is not linked to an account yet. Ask the account owner for a connect code, "
            + "then send \(LinkCommand.command(for: event.provider)) CODE here."
        guard let linkBaseURL else { return codeInstruction }
        let (type, subject): (LinkType, String?) =
            event.isDirect ? (.user, event.senderID) : (.server, event.workspaceID)
        guard let subject else { return codeInstruction }
        let token = try await chat.createLinkToken(type: type, platform: event.provider.rawValue, subject: subject)
        return "This chat is not linked to an account yet. Link it here within "
            + "\(Int(ChatStore.linkTokenLifetime.seconds / 60)) minutes: \(linkBaseURL)\(token.token)"
    }
}
