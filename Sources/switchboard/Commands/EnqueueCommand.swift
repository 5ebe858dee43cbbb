import Enqueuer
import Foundation
import JSON
import Queue

/// `switchboard enqueue`: adds one job, or a batch of JSON lines, in as few transactions as it can.
struct EnqueueCommand: Command {
    static let name = "enqueue"
    static let summary = "Add a job, or a batch of jobs from JSON lines on stdin"
    private static let queue = Option<String>.text("queue", "Q", "the queue to add to (required without --batch)")
    private static let kind = Option<String>.text(
        "kind", "K", "what kind of job it is, the worker dispatches on it (required without --batch)")
    private static let payload = Option<String>.text("payload", "JSON", "the job's payload (default: read from stdin)")
    private static let dedupeKey = Option<String>.text(
        "dedupe-key", "KEY", "skip the job if a live job already holds this key")
    private static let dedupeTTL = Option<Duration>.duration(
        "dedupe-ttl", "SECONDS", Bounds.dedupeTTL, "how long the key holds (default 86400)"
    )
    private static let group = Option<String>.text("group", "G", "run after earlier jobs of this group, one at a time")
    private static let delay = Option<Duration>.duration(
        "delay", "SECONDS", Bounds.delay, "first run no sooner than this")
    private static let priority = Option<Int>.integer("priority", "N", Bounds.priority, "higher runs first (default 0)")
    private static let maxAttempts = Option<Int>.integer(
        "max-attempts", "N", Bounds.maxAttempts, "dead-letter after this many failed attempts (default 5)"
    )
    private static let batch = Flag("batch", "read one JSON job per line from stdin; the other options give defaults")

    static let options = [
        Self.queue.spec, Self.kind.spec, Self.payload.spec, Self.dedupeKey.spec, Self.dedupeTTL.spec, Self.group.spec,
        Self.delay.spec, Self.priority.spec,
        Self.maxAttempts.spec, Self.batch.spec,
    ]
    static let examples = [
        #"switchboard enqueue --queue mail --kind welcome --payload '{"user":42}'"#,
        #"echo '{"queue":"mail","kind":"welcome","payload":{"user":42},"dedupe_key":"u42"}' | switchboard enqueue --batch"#,
    ]

    /// Jobs per transaction in batch mode: large enough to amortise the commit, small enough not to
    /// hold the write lock for long.
    static let batchTransactionSize = 10_000

    let defaults: JobLine.Defaults
    let payload: String?
    let dedupeKey: String?
    let batch: Bool

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        batch = try arguments.isSet(Self.batch)
        payload = try arguments.value(Self.payload)
        dedupeKey = try arguments.value(Self.dedupeKey)
        defaults = JobLine.Defaults(
            queue: try arguments.value(Self.queue),
            kind: try arguments.value(Self.kind),
            group: try arguments.value(Self.group),
            priority: try arguments.value(Self.priority),
            delay: try arguments.value(Self.delay),
            maxAttempts: try arguments.value(Self.maxAttempts),
            dedupeTTL: try arguments.value(Self.dedupeTTL) ?? .seconds(86_400)
        )
        if batch {
            if payload != nil || dedupeKey != nil {
                throw CommandFailure.usage("--payload and --dedupe-key belong to each line in --batch mode")
            }
        } else {
            if defaults.queue == nil { throw CommandFailure.usage("--queue is required") }
            if defaults.kind == nil { throw CommandFailure.usage("--kind is required") }
        }
    }

    func run(_ context: CommandContext) async throws {
        let jobs = batch ? try await readBatch() : [try await singleJob()]
        let store = try await context.openStore(.create)
        for start in stride(from: 0, to: jobs.count, by: Self.batchTransactionSize) {
            let chunk = Array(jobs[start..<min(start + Self.batchTransactionSize, jobs.count)])
            let results = try await store.enqueue(chunk)
            // Printed only after the transaction committed: a line on stdout means the job is durable.
            let lines = results.map { result in
                context.output.json
                    ? Output.jsonLine(["id": result.jobID, "status": result.status.rawValue])
                    : result.status == .enqueued
                        ? "enqueued job \(result.jobID)" : "duplicate: job \(result.jobID) holds that dedupe key"
            }
            Output.writeLine(lines.joined(separator: "\n"), to: .standardOutput)
        }
    }

    private func singleJob() async throws -> NewJob {
        let text: String
        if let payload {
            text = payload
        } else if StandardInput.isTerminal {
            throw CommandFailure.usage("give the payload with --payload JSON, or pipe it on stdin")
        } else {
            text = String(decoding: await StandardInput.readAll(), as: UTF8.self)
        }
        do {
            _ = try JSONParser.parse(Data(text.utf8))
        } catch {
            throw CommandFailure.data("payload: \(error)")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return try JobLine.job(payload: Data(trimmed.utf8), dedupeKey: dedupeKey, defaults: defaults, field: { $0 })
    }

    /// Every line's job; when any line is bad, the refusal naming each bad line (`BatchLines`).
    private func readBatch() async throws -> [NewJob] {
        var jobs: [NewJob] = []
        var problems: [String] = []
        for (number, line) in BatchLines.split(await StandardInput.readAll()) {
            do {
                jobs.append(try JobLine.parse(line, lineNumber: number, defaults: defaults))
            } catch let failure as CommandFailure {
                problems.append(failure.message)
            }
        }
        guard problems.isEmpty else { throw BatchLines.refusal(problems) }
        return jobs
    }
}
