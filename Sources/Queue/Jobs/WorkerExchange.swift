/// One round trip between a worker and the store: settlements, heartbeats and a claim, all committed
/// in one transaction, so a busy worker pays one commit for many jobs.
public struct WorkerExchange: Sendable {
    public var workerID: String
    /// How long new leases last, and how far heartbeats extend the leases they name.
    public var leaseDuration: Duration
    public var settlements: [Settlement]
    public var heartbeats: [Lease]
    /// Leases taken from the worker while their jobs ran (a cancel), whose work has since stopped: the
    /// store notes it, so a redrive of a cancelled job need not wait for that lease to run out. A
    /// settlement refused as `leaseLost` says the same of its lease.
    public var stopped: [Lease]
    /// The queues to claim from, and how many jobs at most (0 claims nothing).
    public var queues: [String]
    /// The kinds of job to claim; nil for every kind.
    public var kinds: [String]?
    public var claimLimit: Int
    /// The worker's row to refresh in the same transaction, when it is due.
    public var registration: WorkerRegistration?

    public init(
        workerID: String,
        leaseDuration: Duration,
        settlements: [Settlement] = [],
        heartbeats: [Lease] = [],
        stopped: [Lease] = [],
        queues: [String] = [],
        kinds: [String]? = nil,
        claimLimit: Int = 0,
        registration: WorkerRegistration? = nil
    ) {
        self.workerID = workerID
        self.leaseDuration = leaseDuration
        self.settlements = settlements
        self.heartbeats = heartbeats
        self.stopped = stopped
        self.queues = queues
        self.kinds = kinds
        self.claimLimit = claimLimit
        self.registration = registration
    }
}
/// What one exchange did.
public struct WorkerExchangeResult: Sendable {
    /// One result per settlement, in the order they were given.
    public var settled: [SettlementResult]
    /// The heartbeats whose leases were no longer held.
    public var lostLeases: [Lease]
    public var claimed: [ClaimedJob]
    /// When fewer jobs were claimed than asked: how long from the exchange until a scheduled job of the
    /// claimed kinds falls due or a lease expires, if any, so an idle worker knows when to look again
    /// without being told. A duration, not a time: the store's clock (on PostgreSQL, the server's) need
    /// not agree with the worker's.
    public var nextDueIn: Duration?

    package init(settled: [SettlementResult], lostLeases: [Lease], claimed: [ClaimedJob], nextDueIn: Duration?) {
        self.settled = settled
        self.lostLeases = lostLeases
        self.claimed = claimed
        self.nextDueIn = nextDueIn
    }
}
