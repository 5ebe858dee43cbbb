/// What a worker reports at the end of an attempt.
public enum JobOutcome: Sendable, Equatable {
    /// The job is done.
    case complete
    /// The attempt failed. A retryable failure runs again after backoff until attempts run out;
    /// a non-retryable one is dead-lettered at once.
    case fail(error: String, retryable: Bool)
    /// Put the job back to run after `delay`, without spending an attempt: for "slow down" answers.
    case snooze(Duration)

    /// Hand the job back to run again at once, without spending an attempt (a worker shutting down).
    public static let release = JobOutcome.snooze(.zero)
}

/// A shared "not before" for a rate bucket (a provider's bot, chat or route): no worker sends to the
/// bucket before `until`.
public struct RateHold: Sendable, Equatable {
    public var bucket: String
    public var until: Timestamp

    public init(bucket: String, until: Timestamp) {
        self.bucket = bucket
        self.until = until
    }
}

/// What else a settlement writes, in its own transaction and only if its lease is still held: jobs to
/// enqueue (a turn's deliveries, with its reply in their history), rate buckets to hold, and jobs
/// waiting behind it in its group that its completion also completes (follow-ups answered with it).
public struct SettlementEffects: Sendable {
    public var enqueue: [NewJob]
    public var holds: [RateHold]
    /// Blocked jobs of the settling job's group to complete with it; only on completion, and only those
    /// still blocked in that group.
    public var absorb: [Int64]

    public init(enqueue: [NewJob] = [], holds: [RateHold] = [], absorb: [Int64] = []) {
        self.enqueue = enqueue
        self.holds = holds
        self.absorb = absorb
    }

    public static let none = SettlementEffects()
}

/// An outcome for the job a lease covers.
public struct Settlement: Sendable {
    public var lease: Lease
    public var outcome: JobOutcome
    public var effects: SettlementEffects

    public init(_ lease: Lease, _ outcome: JobOutcome, effects: SettlementEffects = .none) {
        self.lease = lease
        self.outcome = outcome
        self.effects = effects
    }
}

/// What a settlement did, once committed.
public enum SettlementResult: Sendable, Equatable {
    case completed
    /// The job will run again from this time (a retry after backoff, or a snooze).
    case scheduled(at: Timestamp)
    case deadLettered(DeadLetterReason)
    /// The lease was stale, and nothing changed.
    case leaseLost
}

/// One round trip between a worker and the store: settlements, heartbeats and a claim, all committed
/// in one transaction, so a busy worker pays one commit for many jobs.
public struct WorkerExchange: Sendable {
    public var workerID: String
    /// How long new leases last, and how far heartbeats extend the leases they name.
    public var leaseDuration: Duration
    public var settlements: [Settlement]
    public var heartbeats: [Lease]
    /// The queues to claim from, and how many jobs at most (0 claims nothing).
    public var queues: [String]
    /// The kinds of job to claim; nil for every kind.
    public var kinds: [String]?
    public var claimLimit: Int

    public init(
        workerID: String,
        leaseDuration: Duration,
        settlements: [Settlement] = [],
        heartbeats: [Lease] = [],
        queues: [String] = [],
        kinds: [String]? = nil,
        claimLimit: Int = 0
    ) {
        self.workerID = workerID
        self.leaseDuration = leaseDuration
        self.settlements = settlements
        self.heartbeats = heartbeats
        self.queues = queues
        self.kinds = kinds
        self.claimLimit = claimLimit
    }
}

/// What one exchange did.
public struct WorkerExchangeResult: Sendable {
    /// One result per settlement, in the order they were given.
    public var settled: [SettlementResult]
    /// The heartbeats whose leases were no longer held.
    public var lostLeases: [Lease]
    public var claimed: [ClaimedJob]
    /// When fewer jobs were claimed than asked: the earliest time a scheduled job of the claimed kinds falls
    /// due or a lease expires, if any, so an idle worker knows when to look again without being told.
    public var nextDueAt: Timestamp?
}
