/// A snapshot of the queue, for operators.
public struct QueueStats: Sendable {
    /// How many jobs one queue holds in each state.
    public struct QueueCounts: Sendable {
        public var queue: String
        public var counts: [JobState: Int]
        /// How long this queue's longest-waiting runnable job has been runnable; nil when none is.
        public var oldestReadyAge: Duration?
    }

    public var measuredAt: Timestamp
    public var queues: [QueueCounts]
    /// How long the longest-waiting runnable job has been runnable; nil when none is.
    public var oldestReadyAge: Duration?
    /// Leases held and not yet expired.
    public var leasesInFlight: Int
    /// Leases past their expiry that no claim has recovered yet (their workers are likely gone).
    public var leasesExpired: Int
    public var deadLetters: Int
    /// Dedupe keys still live.
    public var dedupeKeysHeld: Int

    /// The total of each state over all queues.
    public var totals: [JobState: Int] {
        queues.reduce(into: [:]) { totals, queue in
            totals.merge(queue.counts, uniquingKeysWith: +)
        }
    }
}
