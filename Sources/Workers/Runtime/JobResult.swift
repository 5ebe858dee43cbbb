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
