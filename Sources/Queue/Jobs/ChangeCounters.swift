/// Numbers that move when another process may have changed what a worker should do: cheap to read (no
/// lock, no round trip to a server), so workers poll them and look at the store only when one moves.
public struct ChangeCounters: Sendable, Equatable {
    /// Moves when work may have become runnable.
    public var work: Int64
    /// Moves when a lease may have been taken from its holder before it ran out (a job cancelled while
    /// it ran): a worker then asks the store whether its own leases still stand.
    public var leases: Int64
    /// How the counters learn of changes: told by the database, read on this machine, or on a timer.
    public var wakeups: Wakeups

    public init(work: Int64, leases: Int64, wakeups: Wakeups = .localChanges) {
        self.work = work
        self.leases = leases
        self.wakeups = wakeups
    }
}
