import Enqueuer
import Foundation
import JSON
import Queue

/// `switchboard enqueue`: adds one job, or a batch of JSON lines, in as few transactions as it can.
struct EnqueueCommand: Command {
    static let name = "enqueue"
    static let summary = "Add a job, or a batch of jobs from JSON lines on stdin"
    static let synopsis = [
        "enqueue --queue Q --kind K [--payload JSON] [--dedupe-key KEY] [--dedupe-ttl SECONDS] [--group G] "
            + "[--delay SECONDS] [--priority N] [--max-attempts N]",
        "enqueue --batch [--queue Q] [--kind K] [...defaults] < jobs.jsonl",
    ]
    static let options: [OptionSpec] = [
        .value("queue", "Q", "the queue to add to"),
        .value("kind", "K", "what kind of job it is (the worker dispatches on it)"),
        .value("payload", "JSON", "the job's payload (default: read from stdin)"),
        .value("dedupe-key", "KEY", "skip the job if a live job already holds this key"),
        .value("dedupe-ttl", "SECONDS", "how long the key holds (default 86400)"),
        .value("group", "G", "run after earlier jobs of this group, one at a time"),
        .value("delay", "SECONDS", "first run no sooner than this"),
        .value("priority", "N", "higher runs first (default 0)"),
        .value("max-attempts", "N", "dead-letter after this many failed attempts (default 5)"),
        .flag("batch", "read one JSON job per line from stdin; flags give defaults"),
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
        batch = arguments.flag("batch")
        payload = arguments.string("payload")
        dedupeKey = arguments.string("dedupe-key")
        defaults = JobLine.Defaults(
            queue: arguments.string("queue"),
            kind: arguments.string("kind"),
            group: arguments.string("group"),
            priority: try arguments.integer("priority", Bounds.priority),
            delay: try arguments.duration("delay", Bounds.delay),
            maxAttempts: try arguments.integer("max-attempts", Bounds.maxAttempts),
            dedupeTTL: try arguments.duration("dedupe-ttl", Bounds.dedupeTTL) ?? .seconds(86_400)
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
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (try? JSONParser.parse(Data(trimmed.utf8))) != nil else {
            throw CommandFailure.data("payload: not valid JSON")
        }
        return try JobLine.job(payload: Data(trimmed.utf8), dedupeKey: dedupeKey, defaults: defaults, field: { $0 })
    }

    private func readBatch() async throws -> [NewJob] {
        let input = await StandardInput.readAll()
        var jobs: [NewJob] = []
        for (index, line) in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) {
                continue
            }
            jobs.append(try JobLine.parse(Data(line), lineNumber: index + 1, defaults: defaults))
        }
        return jobs
    }
}
