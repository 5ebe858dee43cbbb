extension JobStore {
    /// Counts per queue and state, the oldest runnable job's age, leases, dead letters and dedupe keys.
    public func stats() async throws -> QueueStats {
        try await storage.stats()
    }

    /// Jobs in id order, optionally only those in one state, queue or kind.
    public func jobs(state: JobState? = nil, queue: String? = nil, kind: String? = nil, limit: Int = 100) async throws
        -> [JobRecord]
    {
        try await storage.jobs(state: state, queue: queue, kind: kind, limit: limit)
    }

    /// One job, whatever its state; nil when there is none with that id (completed jobs are deleted
    /// unless a retention window is set).
    public func job(id: Int64) async throws -> JobRecord? {
        try await storage.jobs(ids: [id]).first
    }

    /// The jobs waiting behind a group's head, in the order they will run, at most `limit`.
    public func blocked(inGroup group: String, limit: Int) async throws -> [JobRecord] {
        try await storage.blocked(inGroup: group, limit: limit)
    }

    /// True while some job in `queues`, of `kinds` (nil for any), is runnable now or leased: what a draining
    /// worker waits on.
    public func hasRunnableOrLeasedJobs(queues: [String], kinds: [String]? = nil) async throws -> Bool {
        try await storage.hasRunnableOrLeasedJobs(queues: queues, kinds: kinds)
    }
}
