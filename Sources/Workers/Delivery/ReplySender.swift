import ChatStore
import Enqueuer
import Foundation
import HTTPClient
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

    /// - Parameter chat: where replies that go out over a provider's socket are queued.
    init(store: JobStore, chat: ChatStore, configuration: ChatConfiguration, http: HTTPClient) throws {
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
                    connectTimeout: configuration.connectTimeout, requestTimeout: configuration.requestTimeout,
                    chat: chat
                )
                clients[provider] = provider.api.client(context)
            }
        }
        self.clients = clients
    }

    /// Each provider whose client fetches files, with the address its API is configured at: none when
    /// replies go to a local file.
    func attachmentSources(_ configuration: ChatConfiguration) -> [Provider: AttachmentFetcher.Source] {
        var sources: [Provider: AttachmentFetcher.Source] = [:]
        for (provider, client) in clients {
            guard let downloads = client as? any AttachmentDownloading else { continue }
            sources[provider] = AttachmentFetcher.Source(
                downloads: downloads, baseURL: configuration.settings(for: provider).baseURL)
        }
        return sources
    }

    /// Whether replies to `provider` at `target` can be edited after they are sent.
    func edits(_ provider: Provider, to target: ReplyTarget) -> Bool {
        clients[provider]!.edits(to: target)
    }

    /// How many times `provider` lets one message be edited, where it limits it.
    func editsPerMessage(_ provider: Provider) -> Int? {
        clients[provider]!.editsPerMessage
    }

    /// Waits until `message` may go, and takes its slot. First what this process knows: the holds it
    /// read and the bot-wide pace of its sends. Then the database, last: with pacing, the chat's next slot
    /// fleet-wide (at least `spacing` after the chat's previous send, its bucket's own interval when nil),
    /// taken in the transaction that checks the holds on every bucket of the message; without pacing, a
    /// look at those holds. Nothing waits between that check and the send (`send` next), so a hold
    /// committed before it is waited out, and one committed after it finds this send already on its way.
    /// Returns how long to wait instead when a hold or the slot is further off than `longestWait`.
    /// - Throws: `CancellationError` when cancelled while waiting; the store's errors.
    func waitForTurn(_ message: OutboundMessage, spacing: Duration? = nil, longestWait: Duration) async throws
        -> Duration?
    {
        let buckets = RateBuckets.of(message)
        let interval = spacing ?? buckets.chat.interval
        for _ in 0..<Self.slotAttempts {
            try await pacer.waitForTurn(buckets, spacing: pacing)
            let held =
                pacing
                ? try await store.reserveSendSlot(buckets.chat.key, interval: interval, respecting: buckets.keys)
                : try await store.holdRemaining(buckets: buckets.keys)
            // A hold this process read while the database took the slot, before it reached the database.
            guard let wait = held ?? pacer.held(buckets) else { return nil }
            if wait > longestWait {
                return wait
            }
            try await store.clock.sleep(for: wait)
        }
        return interval
    }

    /// Sends `message` now (after `waitForTurn`), and returns the provider's answer with the holds to
    /// write with it: the chat's next slot after a send, the bucket a "slow down" names. A "slow down"
    /// holds its bucket in this process at once and in the database before this returns, so from that
    /// commit on no send to the bucket takes a slot until the wait is over, in any process.
    func send(_ message: OutboundMessage, spacing: Duration? = nil) async -> (SendOutcome, holds: [RateHold]) {
        let buckets = RateBuckets.of(message)
        let outcome = await clients[message.provider]!.send(message)
        switch outcome {
        case .delivered:
            let interval = spacing ?? buckets.chat.interval
            return (outcome, pacing ? [RateHold(bucket: buckets.chat.key, for: interval)] : [])
        case .slowDown(let after, let bucket):
            return (outcome, await hold(bucket, for: after))
        case .retry, .reject:
            return (outcome, [])
        }
    }

    /// Uploads the file of `message` (after `waitForTurn`) where its provider takes files apart from the
    /// message that shows them. A "slow down" answer holds its bucket as a send's does.
    func upload(_ message: OutboundMessage) async -> (UploadOutcome, holds: [RateHold]) {
        let outcome = await clients[message.provider]!.upload(message)
        guard case .failed(.slowDown(let after, let bucket)) = outcome else { return (outcome, []) }
        return (outcome, await hold(bucket, for: after))
    }

    /// Holds `bucket` for `after` in this process at once and in the database; returns the hold for the
    /// settlement to write too (should this write fail), this one making it seen before that round trip.
    private func hold(_ bucket: String, for after: Duration) async -> [RateHold] {
        pacer.hold(bucket, for: after)
        let hold = RateHold(bucket: bucket, for: after)
        try? await store.hold([hold])
        return [hold]
    }
}
