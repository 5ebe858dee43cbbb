import Foundation

/// A job to enqueue.
public struct NewJob: Sendable {
    public var queue: String
    public var kind: String
    public var payload: Data
    public var priority: Int
    public var runAt: RunAt
    /// Attempts before the job is dead-lettered; `nil` takes the store's default.
    public var maxAttempts: Int?
    /// Jobs sharing a group key run one at a time, in enqueue order.
    public var groupKey: String?
    public var dedupe: DedupeKey?
    /// What to enqueue if this job is dead-lettered.
    public var onDeadLetter: DeadLetterNotice?
    /// Rows other modules write with the job, in its transaction, only if the job is written.
    package var attachments: [any JobAttachment] = []

    /// True when writing the job needs nothing read first: no dedupe key to look up, no ordering group
    /// to check, no attachment that needs its id. A backend may write such jobs together in one statement.
    package var needsNothingRead: Bool {
        dedupe == nil && groupKey == nil && attachments.isEmpty
    }

    public init(
        queue: String,
        kind: String,
        payload: Data = Data("{}".utf8),
        priority: Int = 0,
        runAt: RunAt = .now,
        maxAttempts: Int? = nil,
        groupKey: String? = nil,
        dedupe: DedupeKey? = nil,
        onDeadLetter: DeadLetterNotice? = nil
    ) {
        self.queue = queue
        self.kind = kind
        self.payload = payload
        self.priority = priority
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.groupKey = groupKey
        self.dedupe = dedupe
        self.onDeadLetter = onDeadLetter
    }

    /// Checks the fields a caller can get wrong, naming the one that is.
    public func validate() throws {
        try Self.validateName(queue, field: "queue")
        try Self.validateName(kind, field: "kind")
        if let maxAttempts, maxAttempts < 1 {
            throw QueueError.invalid("max_attempts", "must be at least 1, got \(maxAttempts)")
        }
        if let groupKey, groupKey.isEmpty {
            throw QueueError.invalid("group", "must not be empty")
        }
        for attachment in attachments {
            try attachment.validate()
        }
        if let dedupe {
            if dedupe.key.isEmpty {
                throw QueueError.invalid("dedupe_key", "must not be empty")
            }
            if dedupe.timeToLive <= .zero {
                throw QueueError.invalid("dedupe_ttl", "must be positive")
            }
        }
    }

    /// Checks a queue, kind or schedule name: not empty, at most 200 bytes, no control characters (a
    /// name is printed in tables and on terminals, where one would break the table or send the
    /// terminal an escape sequence).
    /// - Throws: `QueueError.invalidArgument` naming `field`.
    public static func validateName(_ value: String, field: String) throws {
        if value.isEmpty {
            throw QueueError.invalid(field, "must not be empty")
        }
        if value.utf8.count > 200 {
            throw QueueError.invalid(field, "must be at most 200 bytes")
        }
        try validatePrintable(value, field: field)
    }

    /// Checks that a name or key an operator gives contains no control characters: they would send a
    /// terminal an escape sequence, or break a table, wherever it is printed.
    /// - Throws: `QueueError.invalidArgument` naming `field`.
    public static func validatePrintable(_ value: String, field: String) throws {
        // The control characters (general category Cc, a set Unicode never changes): U+0000-U+001F and
        // U+007F-U+009F. Looking up each scalar's Unicode properties instead was a visible share of an enqueue's CPU.
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw QueueError.invalid(field, "must not contain control characters")
        }
    }
}
