import Enqueuer
import Foundation
import Queue

/// Sends one chunk of a reply: takes the chat's send slot (fleet-wide, before the send), paces bot-wide
/// buckets, sends, and maps the provider's answer to the job's outcome, with the holds that answer calls
/// for. A "slow down" answer holds its bucket at once, in this process and in the database, so the next
/// send to it waits however far along it already is.
struct DeliveryHandler {
    /// A hold shorter than this is waited out with the lease held; a longer one snoozes the job.
    static let longestWait: Duration = .seconds(1)
    /// How many times a send waits for its chat's slot before it snoozes instead.
    static let slotAttempts = 3

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
                clients[provider] =
                    switch provider {
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
            if let snooze = try await takeSlot(buckets) {
                return JobResult(.snooze(snooze))
            }
            if let bot = buckets.bot {
                try await pacer.waitForTurn(bot, spacing: pacing)
            }
        } catch is CancellationError {
            return JobResult(.release)
        } catch {
            return .fail("checking rate holds: \(error)", retryable: true)
        }
        let outcome = await clients[message.provider]!.send(message)
        let event = { (name: String) in ["send \(message.provider.rawValue) \(name)"] }
        switch outcome {
        case .delivered:
            let holds = pacing ? [RateHold(bucket: buckets.chat.key, until: clock.now() + buckets.chat.interval)] : []
            return JobResult(.complete, effects: SettlementEffects(holds: holds), events: event("delivered"))
        case .slowDown(let after, let bucket):
            let hold = RateHold(bucket: bucket, until: clock.now() + after)
            await pacer.hold(bucket, for: after)
            // The settlement writes it too; this makes it seen before the settlement's round trip.
            try? await store.hold([hold])
            return JobResult(.snooze(after), effects: SettlementEffects(holds: [hold]), events: event("held"))
        case .retry(let reason):
            return JobResult(.fail(error: reason, retryable: true), events: event("retried"))
        case .reject(let reason):
            return JobResult(.fail(error: reason, retryable: false), events: event("rejected"))
        }
    }

    /// Waits for the chat's turn: with pacing, reserves its next send slot fleet-wide; without, waits out
    /// the holds a provider asked for. Returns how long to snooze instead, when the wait is too long.
    private func takeSlot(_ buckets: RateBuckets) async throws -> Duration? {
        let clock = store.clock
        for _ in 0..<Self.slotAttempts {
            let hold =
                pacing
                ? try await store.reserveSendSlot(
                    buckets.chat.key, interval: buckets.chat.interval, respecting: buckets.keys)
                : try await store.holdUntil(buckets: buckets.keys)
            guard let hold else { return nil }
            let wait = hold - clock.now()
            if wait > Self.longestWait {
                return wait
            }
            try await clock.sleep(for: wait)
            if !pacing {
                return nil
            }
        }
        return buckets.chat.interval
    }
}
