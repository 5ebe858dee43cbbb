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
