import Enqueuer
import Foundation
import Queue

/// Sends one message or edit at the pace its chat allows: takes the chat's send slot (fleet-wide, before
/// the send), paces bot-wide buckets, sends, and holds what the provider's answer says to hold. A "slow
/// down" answer holds its bucket at once, in this process and in the database, so the next send to it
/// waits however far along it already is.
///
/// Both a delivery job and a live reply send through it, so an edit spends the chat's pacing like a send.
struct ReplySender: Sendable {
    /// How many times a send waits for its chat's slot before it gives up for now.
    private static let slotAttempts = 3

    let store: JobStore
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

    /// Whether replies to `provider` can be edited after they are sent.
    func edits(_ provider: Provider) -> Bool {
        clients[provider]!.edits
    }

    /// How many times `provider` lets one message be edited, where it limits it.
    func editsPerMessage(_ provider: Provider) -> Int? {
        clients[provider]!.editsPerMessage
    }

    /// Waits until `message` may go: its chat's slot (at least `spacing` after the chat's previous send,
    /// its bucket's own interval when nil) and the bot-wide pace. Returns how long to wait instead when
    /// the slot is further off than `longestWait`.
    /// - Throws: `CancellationError` when cancelled while waiting; the store's errors.
    func waitForTurn(_ message: OutboundMessage, spacing: Duration? = nil, longestWait: Duration) async throws
        -> Duration?
    {
        let buckets = RateBuckets.of(message)
        if let wait = try await takeSlot(buckets, interval: spacing ?? buckets.chat.interval, longestWait: longestWait)
        {
            return wait
        }
        if let bot = buckets.bot {
            try await pacer.waitForTurn(bot, spacing: pacing)
        }
        return nil
    }

    /// Sends `message` now (after `waitForTurn`), and returns the provider's answer with the holds to
    /// write with it: the chat's next slot after a send, the bucket a "slow down" names.
    func send(_ message: OutboundMessage, spacing: Duration? = nil) async -> (SendOutcome, holds: [RateHold]) {
        let buckets = RateBuckets.of(message)
        let outcome = await clients[message.provider]!.send(message)
        switch outcome {
        case .delivered:
            let interval = spacing ?? buckets.chat.interval
            return (outcome, pacing ? [RateHold(bucket: buckets.chat.key, until: store.clock.now() + interval)] : [])
        case .slowDown(let after, let bucket):
            let hold = RateHold(bucket: bucket, until: store.clock.now() + after)
            await pacer.hold(bucket, for: after)
            // The settlement writes it too; this makes it seen before the settlement's round trip.
            try? await store.hold([hold])
            return (outcome, [hold])
        case .retry, .reject:
            return (outcome, [])
        }
    }

    /// Waits for the chat's turn: with pacing, reserves its next send slot fleet-wide; without, waits out
    /// the holds a provider asked for. Returns how long to wait instead, when the wait is too long.
    private func takeSlot(_ buckets: RateBuckets, interval: Duration, longestWait: Duration) async throws -> Duration? {
        let clock = store.clock
        for _ in 0..<Self.slotAttempts {
            let hold =
                pacing
                ? try await store.reserveSendSlot(buckets.chat.key, interval: interval, respecting: buckets.keys)
                : try await store.holdUntil(buckets: buckets.keys)
            guard let hold else { return nil }
            let wait = hold - clock.now()
            if wait > longestWait {
                return wait
            }
            try await clock.sleep(for: wait)
            if !pacing {
                return nil
            }
        }
        return interval
    }
}
