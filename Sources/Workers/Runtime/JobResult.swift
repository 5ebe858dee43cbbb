import Queue

/// What a handler reports for one job: the outcome, and what to write with it in the same transaction.
public struct JobResult: Sendable {
    public var outcome: JobOutcome
    public var effects: SettlementEffects
    /// What the handler met on the way, counted in the worker's row (`WorkerTally.events`): a provider
    /// send's outcome, say (`send telegram delivered`).
    public var events: [String]

    public init(_ outcome: JobOutcome, effects: SettlementEffects = .none, events: [String] = []) {
        self.outcome = outcome
        self.effects = effects
        self.events = events
    }

    public static let complete = JobResult(.complete)

    public static func fail(_ error: String, retryable: Bool) -> JobResult {
        JobResult(.fail(error: error, retryable: retryable))
    }
}
