import Foundation
import Queue

/// How inbound messages are enqueued.
public struct IntakeOptions: Sendable {
    /// The queue chat jobs go to.
    public var queue = "chat"
    /// How long a message's dedupe key holds: providers redeliver for minutes to a day.
    public var dedupeTimeToLive: Duration = .seconds(24 * 3600)
    /// Attempts per chat job; nil takes the store's default.
    public var maxAttempts: Int?

    public init() {}
}

/// One webhook delivery: the provider it came from and its body, unparsed.
public struct Delivery: Sendable {
    public var provider: Provider
    public var body: Data

    public init(provider: Provider, body: Data) {
        self.provider = provider
        self.body = body
    }
}

/// What happened to one delivery.
public struct IntakeResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        case enqueued
        case duplicate
        case ignored
        case rejected
    }

    public var status: Status
    public var jobID: Int64?
    /// The job's kind: `ChatJob.turn` or `ChatJob.link`.
    public var kind: String?
    public var dedupeKey: String?
    /// Why it was ignored or rejected.
    public var detail: String?
    /// For a subscription check: the challenge to answer with.
    public var challenge: String?
}

/// Takes webhook deliveries, normalises them, and records each message durably: its chat job, its
/// dedupe key and (for a turn) the user's message in the conversation history, in one transaction.
public struct Intake: Sendable {
    private let store: JobStore
    private let options: IntakeOptions

    public init(store: JobStore, options: IntakeOptions = IntakeOptions()) {
        self.store = store
        self.options = options
    }

    /// Takes one delivery.
    public func receive(_ delivery: Delivery) async throws -> IntakeResult {
        try await receive([delivery])[0]
    }

    /// Takes deliveries in one transaction, one result each, in order. A rejected or ignored delivery
    /// writes nothing and does not affect the others.
    /// - Throws: only when the database fails; then nothing of the batch is written.
    public func receive(_ deliveries: [Delivery]) async throws -> [IntakeResult] {
        let receivedAt = store.clock.now()
        var results: [IntakeResult] = []
        var jobs: [NewJob] = []
        var jobResultIndexes: [Int] = []
        results.reserveCapacity(deliveries.count)
        for delivery in deliveries {
            let normalised: Normalised
            do {
                normalised = try PayloadNormaliser.normalise(
                    provider: delivery.provider, body: delivery.body, receivedAt: receivedAt
                )
            } catch {
                results.append(IntakeResult(status: .rejected, detail: error.description))
                continue
            }
            switch normalised {
            case .message(let event):
                let (job, key) = try chatJob(for: event)
                jobResultIndexes.append(results.count)
                jobs.append(job)
                results.append(IntakeResult(status: .enqueued, kind: job.kind, dedupeKey: key))
            case .ignored(let reason):
                results.append(IntakeResult(status: .ignored, detail: reason))
            case .verification(let challenge):
                results.append(IntakeResult(status: .ignored, detail: "url_verification", challenge: challenge))
            }
        }
        for (index, enqueued) in zip(jobResultIndexes, try await store.enqueue(jobs)) {
            results[index].jobID = enqueued.jobID
            results[index].status = enqueued.status == .duplicate ? .duplicate : .enqueued
        }
        return results
    }

    /// The job for an event: a link job for `/connect CODE`, else a turn that writes the user's message
    /// into the conversation's history.
    private func chatJob(for event: InboundEvent) throws -> (NewJob, dedupeKey: String?) {
        let key = try event.dedupeScope?.key()
        var job = NewJob(
            queue: options.queue,
            kind: ChatJob.turn,
            payload: ChatJob.turnPayload(event),
            maxAttempts: options.maxAttempts,
            groupKey: event.conversationKey,
            dedupe: key.map { DedupeKey($0, timeToLive: options.dedupeTimeToLive) },
            history: HistoryEntry(conversation: event.conversationKey, role: .user, text: event.text)
        )
        if let command = LinkCommand.parse(event.text, provider: event.provider) {
            var withoutCode = event
            withoutCode.text = "/connect"
            job.kind = ChatJob.link
            job.payload = ChatJob.linkPayload(withoutCode, codeDigest: try command.code.map(SecretToken.digest))
            job.history = nil
        }
        return (job, key)
    }
}
