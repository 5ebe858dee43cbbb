import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import Queue

/// Works the chat jobs: turns, link commands, failure notices and deliveries; the other kinds that
/// `fallback` (the `--exec` command) takes go to it. Without a fallback, only chat kinds are claimed.
public struct ChatWorker: JobHandler {
    private let turns: TurnHandler
    private let linking: LinkHandler
    private let delivery: DeliveryHandler
    private let fallback: (any JobHandler)?

    /// - Parameter notify: told what the operator should hear of (an answer cut to the limit), for the log.
    public init(
        store: JobStore, configuration: ChatConfiguration, http: HTTPClient, fallback: (any JobHandler)?,
        notify: @escaping @Sendable (ChatNotice) -> Void = { _ in }
    ) throws {
        let agent: any Agent =
            switch configuration.agent {
            case .echo: EchoAgent()
            case .echoStream(let pause): EchoStreamAgent(pause: pause)
            case .http(let url, let connectTimeout, let timeout):
                HTTPAgent(
                    url: url, connectTimeout: connectTimeout, timeout: timeout, http: http,
                    shownCharacters: configuration.maxAnswerCharacters,
                    inlineFileBytes: configuration.attachments.maxTurnBytes)
            }
        let chat = try ChatStore(store)
        let sender = try ReplySender(store: store, chat: chat, configuration: configuration, http: http)
        let files = AttachmentStore(configuration.attachments, connectTimeout: configuration.connectTimeout)
        // An answer may name files on the agent's own host, and on the hosts the operator added.
        var attachmentSettings = configuration.attachments
        if case .http(let url, _, _) = configuration.agent, let host = URLComponents(string: url)?.host {
            attachmentSettings.answerHosts.append(host.lowercased())
        }
        let fetcher = AttachmentFetcher(
            settings: attachmentSettings, store: files,
            http: HTTPClient(maxInFlight: AttachmentFetcher.downloadsInFlight),
            sources: sender.attachmentSources(configuration), connectTimeout: configuration.connectTimeout)
        turns = TurnHandler(
            store: store, chat: chat, agent: agent, configuration: configuration,
            typing: TypingIndicator(configuration: configuration, http: http), sender: sender, attachments: fetcher,
            notify: notify)
        linking = LinkHandler(chat: chat)
        delivery = DeliveryHandler(sender: sender, files: files)
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
                return .fail(
                    "no handler for kind \(job.kind): start the worker with --exec to run other kinds", retryable: false
                )
            }
            return await fallback.run(job)
        }
    }
}
