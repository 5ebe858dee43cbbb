import Enqueuer
import Foundation
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

/// One job of `enqueue --batch`: a JSON object per line.
enum JobLine {
    /// Values from the command's flags, used where a line leaves a field out.
    struct Defaults {
        var queue: String?
        var kind: String?
        var group: String?
        var priority: Int?
        var delay: Duration?
        var maxAttempts: Int?
        var dedupeTTL: Duration
    }

    static let fields: Set<String> = [
        "queue", "kind", "payload", "dedupe_key", "dedupe_ttl", "group", "priority", "delay", "max_attempts",
    ]

    /// - Throws: `CommandFailure.data` naming the line and the field.
    static func parse(_ line: Data, lineNumber: Int, defaults: Defaults) throws -> NewJob {
        let at = "line \(lineNumber)"
        guard let value = try? JSONParser.parse(line) else {
            throw CommandFailure.data("\(at): not valid JSON")
        }
        guard case .object(let fields) = value else {
            throw CommandFailure.data("\(at): expected a JSON object")
        }
        if let unknown = fields.members.map(\.key).sorted().first(where: { !Self.fields.contains($0) }) {
            throw CommandFailure.data("\(at): unknown field \"\(unknown)\"")
        }
        func string(_ name: String) throws -> String? {
            switch fields[name] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw CommandFailure.data("\(at): \"\(name)\" must be a string")
            }
        }
        /// The field's number, through the same bound as its flag; nil when absent.
        func number<T>(_ name: String, _ bound: NumberBound, _ convert: (Double) -> T?) throws -> T? {
            let number: Double
            switch fields[name] {
            case nil, .null?: return nil
            case .integer(let value)?: number = Double(value)
            case .double(let value)?: number = value
            default: number = .nan
            }
            guard let converted = convert(number) else {
                throw CommandFailure.data("\(at): \"\(name)\" must be \(bound.expectation)")
            }
            return converted
        }
        func whole(_ name: String, _ bound: NumberBound) throws -> Int? {
            try number(name, bound, bound.integer)
        }
        func seconds(_ name: String, _ bound: NumberBound) throws -> Duration? {
            try number(name, bound) { bound.duration(seconds: $0) }
        }
        var lineDefaults = defaults
        lineDefaults.queue = try string("queue") ?? defaults.queue
        lineDefaults.kind = try string("kind") ?? defaults.kind
        lineDefaults.group = try string("group") ?? defaults.group
        lineDefaults.priority = try whole("priority", Bounds.priority) ?? defaults.priority
        lineDefaults.delay = try seconds("delay", Bounds.delay) ?? defaults.delay
        lineDefaults.maxAttempts = try whole("max_attempts", Bounds.maxAttempts) ?? defaults.maxAttempts
        lineDefaults.dedupeTTL = try seconds("dedupe_ttl", Bounds.dedupeTTL) ?? defaults.dedupeTTL
        let payload = fields["payload"]?.serialized ?? Data("{}".utf8)
        return try job(payload: payload, dedupeKey: try string("dedupe_key"), defaults: lineDefaults) {
            "\(at): \($0)"
        }
    }

    /// Builds and validates the job, naming a bad field with `field`'s prefix.
    static func job(payload: Data, dedupeKey: String?, defaults: Defaults, field: (String) -> String) throws -> NewJob {
        guard let queue = defaults.queue else { throw CommandFailure.data(field("\"queue\" is missing")) }
        guard let kind = defaults.kind else { throw CommandFailure.data(field("\"kind\" is missing")) }
        let job = NewJob(
            queue: queue,
            kind: kind,
            payload: payload,
            priority: defaults.priority ?? 0,
            runAt: defaults.delay.map { .after($0) } ?? .now,
            maxAttempts: defaults.maxAttempts,
            groupKey: defaults.group,
            dedupe: dedupeKey.map { DedupeKey($0, timeToLive: defaults.dedupeTTL) }
        )
        do {
            try job.validate()
        } catch let error as QueueError {
            throw CommandFailure.data(field(error.message))
        }
        return job
    }
}
