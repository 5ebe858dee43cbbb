import Queue

/// What a handler reports for one job: the outcome, and what to write with it in the same transaction.
public struct JobResult: Sendable {
    public var outcome: JobOutcome
    public var effects: SettlementEffects

    public init(_ outcome: JobOutcome, effects: SettlementEffects = .none) {
        self.outcome = outcome
        self.effects = effects
    }

    public static let complete = JobResult(.complete)

    public static func fail(_ error: String, retryable: Bool) -> JobResult {
        JobResult(.fail(error: error, retryable: retryable))
    }
}

/// Runs one claimed job and says how it went.
///
/// A handler is called concurrently for different jobs. When its task is cancelled (the worker is
/// shutting down past its grace period, or the job's lease was lost) it should stop soon; whatever
/// it returns then, other than completing, is turned into handing the job back, without effects.
public protocol JobHandler: Sendable {
    /// The kinds of job this handler runs, or nil for every kind: a worker claims only these, so it
    /// never takes (and fails) a job that another worker is there to run.
    var kinds: [String]? { get }

    func run(_ job: ClaimedJob) async -> JobResult
}

extension JobHandler {
    /// Every kind, unless the handler says otherwise.
    public var kinds: [String]? { nil }
}
