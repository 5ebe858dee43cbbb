import Enqueuer
import Foundation
import Queue

/// Sends one chunk of a reply: waits out any hold on its buckets, paces bot-wide buckets, sends, and
/// maps the provider's answer to the job's outcome, with the holds that answer calls for.
struct DeliveryHandler {
    /// A hold shorter than this is waited out with the lease held; a longer one snoozes the job.
    static let longestWait: Duration = .seconds(1)

    private let store: JobStore
    private let clients: [Provider: any ProviderClient]
    private let pacing: Bool
    private let pacer = LocalPacer()

    init(store: JobStore, configuration: ChatConfiguration, http: HTTPClient) throws {
        self.store = store
        // Pacing keeps to the providers' limits; the local sink has none.
        pacing = configuration.pacing && configuration.outbound == .providers
        let redactor = configuration.redactor
        var clients: [Provider: any ProviderClient] = [:]
        switch configuration.outbound {
        case .local(let path):
            let sink = try LocalReplySink(path: path)
            for provider in Provider.allCases { clients[provider] = sink }
        case .providers:
            for provider in Provider.allCases {
                let context = ClientContext(
                    http: http, settings: configuration.settings(for: provider), redactor: redactor,
                    connectTimeout: configuration.connectTimeout, requestTimeout: configuration.requestTimeout
                )
                clients[provider] = switch provider {
                case .telegram: TelegramClient(context: context)
                case .slack: SlackClient(context: context)
                case .discord: DiscordClient(context: context)
                case .feishu: FeishuClient(context: context, tokens: AccessTokenCache())
                case .dingtalk: DingTalkClient(context: context, tokens: AccessTokenCache())
                case .wecom: WeComClient(context: context, tokens: AccessTokenCache())
                case .wechat: WeChatClient(context: context)
                }
            }
        }
        self.clients = clients
    }

    func run(_ job: ClaimedJob) async -> JobResult {
        let message: OutboundMessage
        do {
            message = try OutboundMessage(payload: job.payload)
        } catch {
            return .fail("\(error)", retryable: false)
        }
        let buckets = RateBuckets.of(message)
        let clock = store.clock
        do {
            if let hold = try await store.holdUntil(buckets: buckets.keys) {
                let wait = hold - clock.now()
                if wait > Self.longestWait {
                    return JobResult(.snooze(wait))
                }
                try await clock.sleep(for: wait)
            }
            if pacing, let bot = buckets.bot {
                try await pacer.waitForTurn(bot)
            }
        } catch is CancellationError {
            return JobResult(.release)
        } catch {
            return .fail("checking rate holds: \(error)", retryable: true)
        }
        let outcome = await clients[message.provider]!.send(message)
        switch outcome {
        case .delivered:
            let holds = pacing ? [RateHold(bucket: buckets.chat.key, until: clock.now() + buckets.chat.interval)] : []
            return JobResult(.complete, effects: SettlementEffects(holds: holds))
        case .slowDown(let after, let bucket):
            return JobResult(.snooze(after), effects: SettlementEffects(holds: [RateHold(bucket: bucket, until: clock.now() + after)]))
        case .retry(let reason):
            return .fail(reason, retryable: true)
        case .reject(let reason):
            return .fail(reason, retryable: false)
        }
    }
}
