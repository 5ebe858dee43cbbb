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
