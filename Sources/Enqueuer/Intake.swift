import ChatStore
import Foundation
import Queue

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
        try await write(prepare(deliveries))
    }

    /// Takes a long stream of deliveries in transactions of `transactionSize`, normalising each chunk while
    /// the one before it is written, so both cores work. `committed` gets each chunk's results, in order,
    /// once that chunk's transaction has committed.
    /// - Throws: when the database fails; chunks already reported to `committed` stay written.
    public func receive(
        stream deliveries: [Delivery], transactionSize: Int, committed: ([IntakeResult]) throws -> Void
    ) async throws {
        var writing: Task<[IntakeResult], any Error>?
        for start in stride(from: 0, to: deliveries.count, by: transactionSize) {
            let prepared = try prepare(Array(deliveries[start..<min(start + transactionSize, deliveries.count)]))
            if let writing {
                try committed(try await writing.value)
            }
            writing = Task { try await write(prepared) }
        }
        if let writing {
            try committed(try await writing.value)
        }
    }

    private func write(_ prepared: Prepared) async throws -> [IntakeResult] {
        try await write([prepared])[0]
    }

    /// Takes deliveries in one transaction with `records` (a poll's cursor past them, a stream's position,
    /// the fence of its hold), so a reader that restarts resumes after exactly what was recorded: nothing
    /// lost, nothing repeated. If a record cannot be written, nothing of the deliveries is either.
    package func receive(_ deliveries: [Delivery], with records: [any TransactionRecord]) async throws
        -> [IntakeResult]
    {
        try await write([prepare(deliveries)], with: records)[0]
    }

    /// Writes the jobs of several prepared batches, and `records`, in one transaction; each batch's
    /// results, in order.
    /// - Throws: only when the database fails; then nothing of any batch is written.
    public func write(_ batches: [Prepared]) async throws -> [[IntakeResult]] {
        try await write(batches, with: [])
    }

    private func write(_ batches: [Prepared], with records: [any TransactionRecord]) async throws -> [[IntakeResult]] {
        var written = try await store.enqueue(batches.flatMap(\.jobs), with: records)[...]
        return batches.map { prepared in
            var results = prepared.results
            for (index, enqueued) in zip(prepared.resultIndexes, written.prefix(prepared.jobs.count)) {
                results[index].jobID = enqueued.jobID
                results[index].status = enqueued.status == .duplicate ? .duplicate : .enqueued
            }
            written = written.dropFirst(prepared.jobs.count)
            return results
        }
    }

    /// Deliveries normalised into jobs, not yet written.
    public struct Prepared: Sendable {
        /// The jobs to write.
        public var jobs: [NewJob]
        /// Which result each job belongs to.
        public var resultIndexes: [Int]
        /// One result per delivery; a job's final status comes with its write.
        public var results: [IntakeResult]
    }

    /// Normalises deliveries and builds their jobs, touching no database: the CPU half of `receive`.
    public func prepare(_ deliveries: [Delivery]) throws -> Prepared {
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
                results.append(IntakeResult(status: .rejected, detail: error.description, rejection: error))
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
        return Prepared(jobs: jobs, resultIndexes: jobResultIndexes, results: results)
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
            onDeadLetter: DeadLetterNotice(queue: options.queue, kind: ChatJob.failed)
        )
        job.attachments = [
            ConversationMessage(
                conversation: event.conversationKey, role: .user, text: event.text, kept: options.historyKept
            )
        ]
        if let command = LinkCommand.parse(event.text, provider: event.provider) {
            var withoutCode = event
            withoutCode.text = "/connect"
            job.kind = ChatJob.link
            job.payload = ChatJob.linkPayload(withoutCode, codeDigest: try command.code.map(SecretToken.digest))
            job.attachments = []
        }
        return (job, key)
    }
}
