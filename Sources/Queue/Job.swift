import Foundation

/// Where a job is in its life.
///
/// ```
///              enqueue
///   blocked ──(group head done)──┐   │
///                                ▼   ▼
///   scheduled ──(run-at due)──▶ ready ──claim──▶ leased ──complete──▶ (deleted | completed)
///       ▲                        ▲                 │
///       └──── fail (backoff), snooze ◀─────────────┤
///                                                  └──fail, exhausted, or lease lost on last attempt──▶ dead
/// ```
public enum JobState: String, Sendable, CaseIterable, Codable {
    /// Waiting for its run-at time (a delay, a retry backoff or a snooze).
    case scheduled
    /// Runnable now.
    case ready
    /// Held by a worker under a lease.
    case leased
    /// Behind an earlier job of its ordering group.
    case blocked
    /// Done, and kept because a retention window is set.
    case completed
    /// Dead-lettered: it will not run again unless redriven.
    case dead

    /// States in which a job still has work ahead of it.
    static let live: [JobState] = [.scheduled, .ready, .leased, .blocked]
}

/// When a new job may first run.
public enum RunAt: Sendable, Equatable {
    case now
    case after(Duration)
    case at(Timestamp)

    func resolve(now: Timestamp) -> Timestamp {
        switch self {
        case .now: now
        case .after(let delay): now + delay
        case .at(let time): time
        }
    }
}

/// A key that makes an enqueue idempotent while it lives.
public struct DedupeKey: Sendable, Equatable {
    public var key: String
    public var timeToLive: Duration

    public init(_ key: String, timeToLive: Duration) {
        self.key = key
        self.timeToLive = timeToLive
    }
}

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
    /// A message to add to a conversation's history with the job: both are written, or neither.
    public var history: HistoryEntry?
    /// What to enqueue if this job is dead-lettered.
    public var onDeadLetter: DeadLetterNotice?

    public init(
        queue: String,
        kind: String,
        payload: Data = Data("{}".utf8),
        priority: Int = 0,
        runAt: RunAt = .now,
        maxAttempts: Int? = nil,
        groupKey: String? = nil,
        dedupe: DedupeKey? = nil,
        history: HistoryEntry? = nil,
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
        self.history = history
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
        if let history, history.conversation.isEmpty {
            throw QueueError.invalid("history.conversation", "must not be empty")
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

    /// Checks a queue or kind name: not empty, at most 200 bytes.
    /// - Throws: `QueueError.invalidArgument` naming `field`.
    public static func validateName(_ value: String, field: String) throws {
        if value.isEmpty {
            throw QueueError.invalid(field, "must not be empty")
        }
        if value.utf8.count > 200 {
            throw QueueError.invalid(field, "must be at most 200 bytes")
        }
    }
}

/// A job to enqueue, with the same payload, if the job that names it is dead-lettered: in the same
/// transaction that dead-letters it, whichever worker or claim does so.
public struct DeadLetterNotice: Sendable, Equatable {
    public var queue: String
    public var kind: String

    public init(queue: String, kind: String) {
        self.queue = queue
        self.kind = kind
    }
}

/// Whether an enqueue wrote a job.
public enum EnqueueStatus: String, Sendable {
    /// A new job was written.
    case enqueued
    /// The dedupe key was live: nothing was written, and the id is the job that holds the key.
    case duplicate
}

/// The outcome of enqueueing one job.
public struct EnqueueResult: Sendable, Equatable {
    public var jobID: Int64
    public var status: EnqueueStatus

    public init(jobID: Int64, status: EnqueueStatus) {
        self.jobID = jobID
        self.status = status
    }
}

/// The right to settle one claim of one job: a fencing token.
///
/// `token` grows by one with every claim of the job, so a worker whose lease expired holds a token
/// that no longer matches, and every settlement it attempts is refused.
public struct Lease: Hashable, Sendable, CustomStringConvertible {
    public var jobID: Int64
    public var token: Int64

    public init(jobID: Int64, token: Int64) {
        self.jobID = jobID
        self.token = token
    }

    public var description: String { "job \(jobID) lease \(token)" }
}

/// A job a worker has claimed.
public struct ClaimedJob: Sendable {
    public var lease: Lease
    public var queue: String
    public var kind: String
    public var payload: Data
    public var priority: Int
    /// Which attempt this is, from 1.
    public var attempt: Int
    public var maxAttempts: Int
    public var groupKey: String?
    public var dedupeKey: String?
    public var enqueuedAt: Timestamp
    public var leaseExpiresAt: Timestamp

    public var id: Int64 { lease.jobID }
}

/// One failed attempt, as kept in a job's bounded error history.
public struct JobFailure: Sendable, Codable, Equatable {
    public var attempt: Int
    /// Milliseconds since 1970.
    public var at: Int64
    public var error: String
}

/// Why a job was dead-lettered.
public enum DeadLetterReason: String, Sendable, Codable {
    /// The handler said retrying cannot help.
    case nonRetryable = "non_retryable"
    /// It failed on its last allowed attempt.
    case attemptsExhausted = "attempts_exhausted"
    /// Its lease expired during its last allowed attempt: the worker likely crashed on it.
    case leaseExpired = "lease_expired"
}

/// Everything stored about one job, for inspection.
public struct JobRecord: Sendable {
    public var id: Int64
    public var queue: String
    public var kind: String
    public var payload: Data
    public var priority: Int
    public var state: JobState
    public var runAt: Timestamp
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseToken: Int64
    public var leaseExpiresAt: Timestamp?
    public var workerID: String?
    public var groupKey: String?
    public var dedupeKey: String?
    public var lastError: String?
    public var errorHistory: [JobFailure]
    public var deadReason: DeadLetterReason?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var finishedAt: Timestamp?
}
