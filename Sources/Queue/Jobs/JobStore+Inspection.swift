extension JobStore {
    /// Counts per queue and state, the oldest runnable job's age, leases, dead letters and dedupe keys.
    public func stats() async throws -> QueueStats {
        try await storage.stats()
    }

    /// Jobs in id order, optionally only those in one state, queue or kind, and only those after the id
    /// `after` (the last one of the page before).
    public func jobs(
        state: JobState? = nil, queue: String? = nil, kind: String? = nil, after: Int64? = nil, limit: Int = 100
    ) async throws -> [JobRecord] {
        try await storage.jobs(state: state, queue: queue, kind: kind, after: after, limit: limit)
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

    /// True while some job of `group` is live (ready, scheduled, leased or blocked): what must go out
    /// first before anything sent outside the group can keep the group's order.
    public func hasLiveJobs(inGroup group: String) async throws -> Bool {
        try await storage.hasLiveJobs(inGroup: group)
    }

    /// True while some job in `queues`, of `kinds` (nil for any), is runnable now or leased: what a draining
    /// worker waits on.
    public func hasRunnableOrLeasedJobs(queues: [String], kinds: [String]? = nil) async throws -> Bool {
        try await storage.hasRunnableOrLeasedJobs(queues: queues, kinds: kinds)
    }

    /// True while some job in `queues`, of `kinds` (nil for any), is leased, or ready, scheduled (a
    /// delay, a retry's backoff, a snooze, a rate hold) or blocked in a queue that is not paused: what a
    /// worker draining everything (`--drain-all`) waits on.
    public func hasLiveJobs(queues: [String], kinds: [String]? = nil) async throws -> Bool {
        try await storage.hasLiveJobs(queues: queues, kinds: kinds)
    }
}

extension JobStore {
    /// Cancels a job: a ready, scheduled or blocked job at once; a leased one too, and its holder loses
    /// the lease: it hears of it within a second (its result is discarded) and stops the job's work. A
    /// redrive of the job waits for that attempt to stop, or for its lease to run out. A cancelled job becomes
    /// a dead letter with reason `cancelled`, without a dead-letter notice, its dedupe key still held (a
    /// redelivery of the message does not bring it back); its group's next job runs.
    /// - Returns: the state the job was in; nil when there is no such job. A job that was not live
    ///   (completed, dead) is left as it was.
    public func cancel(jobID: Int64) async throws -> JobState? {
        try await storage.cancel(jobID: jobID)
    }

    /// Runs a job now: a scheduled job (a delay, a retry's backoff, a snooze) becomes ready, a dead letter
    /// is redriven. Other states are left as they are.
    /// - Returns: the state the job was in; nil when there is no such job.
    public func runNow(jobID: Int64) async throws -> JobState? {
        try await storage.runNow(jobID: jobID)
    }
}

extension JobStore {
    /// Pauses a queue fleet-wide: no worker claims its jobs until it is resumed (jobs already leased run
    /// on; new jobs are still accepted). Returns false when it was paused already.
    /// - Throws: `QueueError.invalidArgument` for a name no queue could have.
    @discardableResult
    public func pause(queue: String) async throws -> Bool {
        try NewJob.validateName(queue, field: "queue")
        return try await storage.setPaused(queue: queue, paused: true)
    }

    /// Resumes a paused queue; false when it was not paused.
    @discardableResult
    public func resume(queue: String) async throws -> Bool {
        try NewJob.validateName(queue, field: "queue")
        return try await storage.setPaused(queue: queue, paused: false)
    }

    /// The paused queues, with when each was paused.
    public func pausedQueues() async throws -> [String: Timestamp] {
        try await storage.pausedQueues()
    }
}

extension JobStore {
    /// Every worker the store has heard from lately, newest start first; each one's state is
    /// `WorkerRecord.state(at:)` of the store's clock.
    public func workers() async throws -> [WorkerRecord] {
        try await storage.workers()
    }
}

extension JobStore {
    /// Adds a recurring schedule, first firing at its next tick after now; with `replacing`, replaces one
    /// of the same name. Returns false when one of its name exists and `replacing` is false.
    /// - Throws: `QueueError.invalidArgument` naming a field that is not a valid name.
    @discardableResult
    public func addSchedule(_ schedule: Schedule, replacing: Bool = false) async throws -> Bool {
        try schedule.validate()
        return try await storage.addSchedule(schedule, replacing: replacing)
    }

    /// Deletes a schedule; its jobs already enqueued stay. False when there is none of that name.
    @discardableResult
    public func removeSchedule(named name: String) async throws -> Bool {
        try await storage.removeSchedule(name)
    }

    /// Every schedule, by name, with its next tick.
    public func schedules() async throws -> [ScheduleRecord] {
        try await storage.schedules()
    }
}
