import Enqueuer
import Foundation
import JSON
import Queue

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

    static let fields = [
        "queue", "kind", "payload", "dedupe_key", "dedupe_ttl", "group", "priority", "delay", "max_attempts",
    ]

    /// - Throws: `CommandFailure.data` naming the line and the field.
    static func parse(_ line: Data, lineNumber: Int, defaults: Defaults) throws -> NewJob {
        let at = "line \(lineNumber)"
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw CommandFailure.data("\(at): not valid JSON at column \(error.column): \(error.reason)")
        }
        do {
            return try parse(JSONFields(root: value), at: at, defaults: defaults)
        } catch let error as JSONFieldError {
            throw CommandFailure.data("\(at): " + (error.path.map { "\"\($0)\" \(error.problem)" } ?? error.problem))
        }
    }

    static func parse(_ fields: JSONFields, at: String, defaults: Defaults) throws -> NewJob {
        try fields.allowOnly(Self.fields)
        /// The field's number, through the same bound as its flag; nil when absent.
        func number<T>(_ name: String, _ bound: NumberBound, _ convert: (Double) -> T?) throws -> T? {
            guard let value = fields.value(name) else { return nil }
            guard let converted = value.numberValue.flatMap(convert) else {
                throw fields.error(name, "must be \(bound.expectation)")
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
        lineDefaults.queue = try fields.optionalString("queue") ?? defaults.queue
        lineDefaults.kind = try fields.optionalString("kind") ?? defaults.kind
        lineDefaults.group = try fields.optionalString("group") ?? defaults.group
        lineDefaults.priority = try whole("priority", Bounds.priority) ?? defaults.priority
        lineDefaults.delay = try seconds("delay", Bounds.delay) ?? defaults.delay
        lineDefaults.maxAttempts = try whole("max_attempts", Bounds.maxAttempts) ?? defaults.maxAttempts
        lineDefaults.dedupeTTL = try seconds("dedupe_ttl", Bounds.dedupeTTL) ?? defaults.dedupeTTL
        let payload = fields.value("payload")?.serialized ?? Data("{}".utf8)
        return try job(payload: payload, dedupeKey: try fields.optionalString("dedupe_key"), defaults: lineDefaults) {
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
            // Checked here, not in `validate`: an operator names this group, where intake builds a chat's
            // group from a provider's ids, which must not make a message unrecordable.
            if let group = defaults.group {
                try NewJob.validatePrintable(group, field: "group")
            }
        } catch let error as QueueError {
            throw CommandFailure.data(field(error.message))
        }
        return job
    }
}
