import Enqueuer
import Foundation
import Queue

/// Works the chat jobs: turns, link commands, failure notices and deliveries; the other kinds that
/// `fallback` (the `--exec` command) takes go to it. Without a fallback, only chat kinds are claimed.
public struct ChatWorker: JobHandler {
    private let turns: TurnHandler
    private let linking: LinkHandler
    private let delivery: DeliveryHandler
    private let fallback: (any JobHandler)?

    public init(store: JobStore, configuration: ChatConfiguration, http: HTTPClient, fallback: (any JobHandler)?) throws {
        let agent: any Agent = switch configuration.agent {
        case .echo: EchoAgent()
        case .http(let url, let connectTimeout, let timeout):
            HTTPAgent(url: url, connectTimeout: connectTimeout, timeout: timeout, http: http)
        }
        let links = AccountLinks(store: store)
        turns = TurnHandler(store: store, links: links, agent: agent, configuration: configuration)
        linking = LinkHandler(links: links)
        delivery = try DeliveryHandler(store: store, configuration: configuration, http: http)
        self.fallback = fallback
    }

    public var kinds: [String]? {
        guard let fallback else { return ChatJob.kinds }
        return fallback.kinds.map { ChatJob.kinds + $0 }
    }

    public func run(_ job: ClaimedJob) async -> JobResult {
        switch job.kind {
        case ChatJob.turn: return await turns.run(job)
        case ChatJob.link: return await linking.run(job)
        case ChatJob.failed: return FailureNotice.run(job)
        case ChatJob.deliver: return await delivery.run(job)
        default:
            guard let fallback else {
                return .fail("no handler for kind \(job.kind): start the worker with --exec to run other kinds", retryable: false)
            }
            return await fallback.run(job)
        }
    }
}

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
    let links: AccountLinks
    let agent: any Agent
    let configuration: ChatConfiguration

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
                let resolution = try await links.resolveOwner(
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
        do {
            let history = try await store.history(conversation: event.conversationKey, limit: configuration.historyLimit)
            let answer = try await agent.reply(
                to: AgentTurn(turnID: job.id, owner: owner, conversation: event.conversationKey, message: message, history: history)
            )
            return reply(answer, to: event, job: job, record: true, absorbing: absorbed)
        } catch let error as AgentError {
            return .fail(error.description, retryable: error.retryable)
        } catch {
            return .fail("reading history: \(error)", retryable: true)
        }
    }

    private func reply(_ text: String, to event: InboundEvent, job: ClaimedJob, record: Bool, absorbing: [Int64]) -> JobResult {
        JobResult(.complete, effects: SettlementEffects(
            enqueue: Replies.deliveries(text, to: event, turn: job.id, queue: job.queue, recordInHistory: record),
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
        let command = event.provider == .telegram ? "/start" : "/connect"
        let codeInstruction = "This chat is not linked to an account yet. Ask the account owner for a connect code, "
            + "then send \(command) CODE here."
        guard let linkBaseURL else { return codeInstruction }
        let (type, subject): (LinkType, String?) = event.isDirect ? (.user, event.senderID) : (.server, event.workspaceID)
        guard let subject else { return codeInstruction }
        let token = try await links.createLinkToken(type: type, platform: event.provider.rawValue, subject: subject)
        return "This chat is not linked to an account yet. Link it here within 30 minutes: \(linkBaseURL)\(token.token)"
    }
}

/// Consumes the connect code of a `/connect CODE` message and answers whether it worked.
struct LinkHandler {
    let links: AccountLinks

    func run(_ job: ClaimedJob) async -> JobResult {
        let event: InboundEvent
        let digest: Data?
        do {
            (event, digest) = try ChatJob.decode(job.payload)
        } catch {
            return .fail("link payload: \(error)", retryable: false)
        }
        let answer: String
        if let digest, let identity = event.identity {
            do {
                _ = try await links.consumeConnectCode(digest: digest, identity: identity)
                answer = "Connected: this chat is now linked to your account."
            } catch let error as LinkError where error.code == .expiredOrUsed {
                answer = "That code is invalid or has expired. Ask for a new one."
            } catch {
                return .fail("consuming a connect code: \(error)", retryable: true)
            }
        } else if digest == nil {
            answer = "That code is invalid or has expired. Ask for a new one."
        } else {
            answer = "This chat cannot be connected here: send the code from a server or group channel."
        }
        return JobResult(.complete, effects: SettlementEffects(
            enqueue: Replies.deliveries(answer, to: event, turn: job.id, queue: job.queue, recordInHistory: false)
        ))
    }
}

/// Tells the user a turn or link job failed for good: enqueued by the store when it dead-lettered them.
enum FailureNotice {
    static let text = "Sorry, something went wrong while answering. Please try again."

    static func run(_ job: ClaimedJob) -> JobResult {
        guard let event = try? ChatJob.decode(job.payload).event else {
            return .fail("failure notice payload is not a chat job's", retryable: false)
        }
        return JobResult(.complete, effects: SettlementEffects(
            enqueue: Replies.deliveries(text, to: event, turn: job.id, queue: job.queue, recordInHistory: false)
        ))
    }
}
