import Foundation

/// The job tables as seen from inside one write transaction, at one instant.
///
/// Every method assumes the transaction is open; `SQLiteJobStorage` opens it and retries it as a whole.
/// An attachment (`JobAttachment`) writes its row through `connection`, at `now`.
package struct JobsTransaction: JobWriteTransaction, JobsWriting {
    package let connection: SQLiteConnection
    package let now: Timestamp
    let rules: JobRules
    package let sql: any SQLExecutor

    init(connection: SQLiteConnection, clock: any WallClock, rules: JobRules) {
        self.connection = connection
        self.now = clock.now()
        self.rules = rules
        self.sql = SQLiteExecutor(connection: connection, clock: clock)
    }

    // MARK: Enqueue

    /// Writes the jobs in order; a group is looked up once for the whole batch. Neighbours that need
    /// nothing read first go up to `rowsPerInsert` at a time in one `INSERT`: a statement per row cost
    /// SQLite a cursor opened and closed, the bindings cleared and `sqlite_sequence` read and written
    /// again for every job, and a batch of plain jobs was written at a third of a plain table's rate.
    func enqueue(_ jobs: [NewJob]) throws -> [EnqueueResult] {
        var liveGroups: Set<String> = []
        var results: [EnqueueResult] = []
        results.reserveCapacity(jobs.count)
        var start = jobs.startIndex
        while start < jobs.endIndex {
            var end = start
            while end < jobs.endIndex, end - start < Self.rowsPerInsert, jobs[end].needsNothingRead {
                end += 1
            }
            if end > start {
                results += try insertTogether(jobs[start..<end])
                start = end
            } else {
                results.append(try enqueue(jobs[start], liveGroups: &liveGroups))
                start += 1
            }
        }
        return results
    }

    /// The most jobs one `INSERT` writes together.
    private static let rowsPerInsert = 64
    /// What each job of `insertTogether` binds, after the instant they share.
    private static let parametersPerRow = 9

    /// The `INSERT` of `count` jobs, for each count from 1 to `rowsPerInsert` (index `count - 1`): `?1` is
    /// the instant, then `parametersPerRow` a job.
    private static let insertsOfRows: [String] = (1...rowsPerInsert).map { count in
        let rows = (0..<count).map { row in
            let first = 2 + row * parametersPerRow
            let parameters = (first..<first + parametersPerRow).map { "?\($0)" }.joined(separator: ", ")
            return "(\(parameters), ?1, ?1)"
        }
        return """
            INSERT INTO jobs (queue, kind, payload, priority, state, run_at, max_attempts, dead_letter_queue,
                              dead_letter_kind, created_at, updated_at)
            VALUES \(rows.joined(separator: ", "))
            """
    }

    /// Writes jobs that need nothing read first with one statement, and returns their ids in order.
    private func insertTogether(_ jobs: ArraySlice<NewJob>) throws -> [EnqueueResult] {
        var values: [SQLValue] = [.integer(now.millisecondsSince1970)]
        values.reserveCapacity(1 + jobs.count * Self.parametersPerRow)
        for job in jobs {
            let runAt = job.runAt.resolve(now: now)
            // Appended one by one: an array literal per job would be allocated and freed for each.
            values.append(.text(job.queue))
            values.append(.text(job.kind))
            values.append(.blob(job.payload))
            values.append(.integer(job.priority))
            values.append(.text(dueState(runAt).rawValue))
            values.append(.integer(runAt.millisecondsSince1970))
            values.append(.integer(job.maxAttempts ?? rules.defaultMaxAttempts))
            values.append(.optionalText(job.onDeadLetter?.queue))
            values.append(.optionalText(job.onDeadLetter?.kind))
        }
        let written = try connection.execute(Self.insertsOfRows[jobs.count - 1], values)
        guard written == jobs.count else {
            throw QueueError(.internal, "SQLite wrote \(written) of \(jobs.count) jobs")
        }
        // One statement writes its rows in order, each taking the next id after the last one the table
        // ever had (AUTOINCREMENT), and the transaction holds the write lock: the ids are consecutive.
        let last = connection.lastInsertRowID
        return (last - Int64(jobs.count) + 1...last).map { EnqueueResult(jobID: $0, status: .enqueued) }
    }

    /// The state of a new job that no group holds back: `ready` when due, else `scheduled`.
    private func dueState(_ runAt: Timestamp) -> JobState {
        runAt <= now ? .ready : .scheduled
    }

    /// Writes a job and its dedupe key, or nothing when the key is live.
    ///
    /// - Parameter liveGroups: groups this transaction already knows to have a live job; a batch passes
    ///   the same set to every call, so a busy conversation's group is looked up once per transaction.
    func enqueue(_ job: NewJob, liveGroups: inout Set<String>) throws -> EnqueueResult {
        if let dedupe = job.dedupe, let holder = try liveDedupeHolder(dedupe.key) {
            return EnqueueResult(jobID: holder, status: .duplicate)
        }
        let runAt = job.runAt.resolve(now: now)
        let state: JobState
        if let group = job.groupKey, try liveGroups.contains(group) || groupHasLiveJob(group) {
            state = .blocked
        } else {
            state = dueState(runAt)
        }
        if let group = job.groupKey {
            liveGroups.insert(group)
        }
        try connection.execute(
            """
            INSERT INTO jobs (queue, kind, payload, priority, state, run_at, max_attempts, group_key, dedupe_key,
                              dead_letter_queue, dead_letter_kind, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
            """,
            [
                .text(job.queue), .text(job.kind), .blob(job.payload), .integer(job.priority), .text(state.rawValue),
                .integer(runAt.millisecondsSince1970), .integer(job.maxAttempts ?? rules.defaultMaxAttempts),
                .optionalText(job.groupKey), .optionalText(job.dedupe?.key), .optionalText(job.onDeadLetter?.queue),
                .optionalText(job.onDeadLetter?.kind), .integer(now.millisecondsSince1970),
            ]
        )
        let id = connection.lastInsertRowID
        for attachment in job.attachments {
            try attachment.write(jobID: id, in: self)
        }
        if let dedupe = job.dedupe {
            try connection.execute(
                "INSERT OR REPLACE INTO dedupe_keys (key, job_id, expires_at) VALUES (?1, ?2, ?3)",
                [.text(dedupe.key), .integer(id), .integer((now + dedupe.timeToLive).millisecondsSince1970)]
            )
        }
        return EnqueueResult(jobID: id, status: .enqueued)
    }

    private func liveDedupeHolder(_ key: String) throws -> Int64? {
        try connection.queryFirst(
            "SELECT job_id FROM dedupe_keys WHERE key = ?1 AND expires_at > ?2",
            [.text(key), .integer(now.millisecondsSince1970)]
        ) { $0.int64(0) }
    }

    func groupHasLiveJob(_ group: String) throws -> Bool {
        try connection.queryFirst(
            "SELECT 1 FROM jobs WHERE group_key = ?1 AND state IN ('scheduled', 'ready', 'leased', 'blocked') LIMIT 1",
            [.text(group)]
        ) { _ in true } ?? false
    }

    /// Deletes at most `limit` expired dedupe keys, oldest first: bounded work, never a full scan.
    @discardableResult
    func pruneExpiredDedupeKeys(limit: Int) throws -> Int {
        try connection.execute(
            """
            DELETE FROM dedupe_keys WHERE key IN (
                SELECT key FROM dedupe_keys WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2)
            """,
            [.integer(now.millisecondsSince1970), .integer(limit)]
        )
    }

    /// Deletes the key if it still points at `jobID` (a later job may have taken it since it expired).
    func releaseDedupeKey(_ key: String, heldBy jobID: Int64) throws {
        try connection.execute("DELETE FROM dedupe_keys WHERE key = ?1 AND job_id = ?2", [.text(key), .integer(jobID)])
    }

    // MARK: Claim

    /// Leases up to `limit` ready jobs of `kinds` (nil for any): highest priority first, then oldest.
    ///
    /// The candidates are read whole and leased by one `UPDATE` over their ids: the transaction holds the
    /// write lock, so no other writer changes a row between the two, and the new attempt and token are
    /// the ones read plus one. Per job, as before (an `UPDATE ... RETURNING` for each), SQLite opened,
    /// filled and closed two temporary b-trees on every statement: one for the rows `RETURNING` hands
    /// back, one for the `state IN (...)` list the table's `CHECK` had until schema version 9. In a
    /// profile of `switchboard bench worker` (40,000 no-op jobs, 128 in flight) the claim took 317 CPU
    /// samples that way, 273 with a plain `UPDATE` per job, and 185 with this one statement.
    func lease(queues: [String], kinds: [String]?, limit: Int, leaseDuration: Duration, workerID: String) throws
        -> [ClaimedJob]
    {
        let expiresAt = now + leaseDuration
        var candidates: [ClaimedJob] = []
        let kindFilter = KindFilter(kinds, firstParameter: 3)
        for queue in queues {
            candidates += try connection.query(
                "SELECT \(ClaimedJob.columns) FROM jobs WHERE state = 'ready' AND queue = ?1\(kindFilter.condition) "
                    + "ORDER BY priority DESC, id LIMIT ?2",
                [.text(queue), .integer(limit)] + kindFilter.values
            ) { ClaimedJob($0, leaseExpiresAt: expiresAt) }
        }
        if queues.count > 1 {
            candidates.sort { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id < $1.id }
        }
        let chosen = candidates.prefix(limit)
        guard !chosen.isEmpty else { return [] }
        let leased = try connection.execute(
            """
            UPDATE jobs SET state = 'leased', attempts = attempts + 1, lease_token = lease_token + 1,
                            lease_expires_at = ?2, worker_id = ?3, updated_at = ?4
            WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'ready'
            """,
            [
                .integers(chosen.map(\.id)),
                .integer(expiresAt.millisecondsSince1970), .text(workerID), .integer(now.millisecondsSince1970),
            ]
        )
        guard leased == chosen.count else {
            throw QueueError(
                .internal, "a claim leased \(leased) of the \(chosen.count) ready jobs it had just read")
        }
        return chosen.map { candidate in
            var claimed = candidate
            claimed.attempt += 1
            claimed.lease = Lease(jobID: candidate.id, token: candidate.lease.token + 1)
            return claimed
        }
    }

    /// Moves scheduled jobs whose run-at has come to `ready`, at most `limit`, earliest first.
    func promoteDueScheduled(limit: Int) throws {
        try connection.execute(
            """
            UPDATE jobs SET state = 'ready', updated_at = ?1 WHERE id IN (
                SELECT id FROM jobs WHERE state = 'scheduled' AND run_at <= ?1 ORDER BY run_at LIMIT ?2)
            """,
            [.integer(now.millisecondsSince1970), .integer(limit)]
        )
    }

    /// Ends the attempts whose leases ran out, at most `limit`: back to ready, or dead-lettered when it
    /// was the last attempt.
    func recoverExpiredLeases(limit: Int) throws {
        let expired = try connection.query(
            "SELECT \(AttemptRow.columns) FROM jobs WHERE state = 'leased' AND lease_expires_at <= ?1 "
                + "ORDER BY lease_expires_at LIMIT ?2",
            [.integer(now.millisecondsSince1970), .integer(limit)],
            row: AttemptRow.init
        )
        for row in expired {
            _ = try endAttempt(row, with: .leaseExpired)
        }
    }

    /// The earliest time a scheduled job of `kinds` (nil for any) falls due or a lease expires, if any job
    /// is waiting on either.
    func nextDueAt(kinds: [String]?) throws -> Timestamp? {
        let kindFilter = KindFilter(kinds, firstParameter: 1)
        let scheduled = try connection.integer(
            "SELECT min(run_at) FROM jobs WHERE state = 'scheduled'\(kindFilter.condition)", kindFilter.values
        )
        let leased = try connection.integer(
            "SELECT min(lease_expires_at) FROM jobs WHERE state = 'leased'\(kindFilter.condition)", kindFilter.values
        )
        return [scheduled, leased].compactMap { $0 }.min().map(Timestamp.init(millisecondsSince1970:))
    }

    // MARK: Settle

    func heartbeat(_ leases: [Lease], leaseDuration: Duration) throws -> [Lease] {
        try leases.filter { try !heartbeat($0, leaseDuration: leaseDuration) }
    }

    /// Settles each settlement whose lease is still held, in order; the fence is read for all of them at
    /// once (no settlement changes another's leased row: its effects touch blocked and new jobs only).
    func settle(_ settlements: [Settlement]) throws -> [SettlementResult] {
        let held = try heldAttempts(settlements.map(\.lease))
        var settled: Set<Int64> = []
        var liveGroups: Set<String> = []
        return try settlements.map { settlement in
            // A lease is settled once: a second settlement of it in the batch finds it no longer held.
            guard let row = held[settlement.lease], settled.insert(row.id).inserted else { return .leaseLost }
            return try settle(settlement, row: row, liveGroups: &liveGroups)
        }
    }

    /// Extends a held lease to `now + leaseDuration`; false when the lease is no longer held.
    func heartbeat(_ lease: Lease, leaseDuration: Duration) throws -> Bool {
        let changed = try connection.execute(
            """
            UPDATE jobs SET lease_expires_at = ?3, updated_at = ?4
            WHERE id = ?1 AND state = 'leased' AND lease_token = ?2 AND lease_expires_at > ?4
            """,
            [
                .integer(lease.jobID), .integer(lease.token), .integer((now + leaseDuration).millisecondsSince1970),
                .integer(now.millisecondsSince1970),
            ]
        )
        return changed == 1
    }

    /// A cancelled attempt kept its lease's expiry (the time it may run until); its worker's word that it
    /// stopped clears it, and a redriven job waiting for that time runs at once.
    func confirmStopped(_ leases: [Lease]) throws {
        for lease in leases {
            try connection.execute(
                """
                UPDATE jobs SET lease_expires_at = NULL, updated_at = ?3,
                                state = CASE WHEN state = 'scheduled' THEN 'ready' ELSE state END,
                                run_at = CASE WHEN state = 'dead' THEN run_at ELSE min(run_at, ?3) END
                WHERE id = ?1 AND lease_token = ?2 AND state IN ('dead', 'scheduled', 'blocked')
                  AND lease_expires_at IS NOT NULL
                """,
                [.integer(lease.jobID), .integer(lease.token), .integer(now.millisecondsSince1970)]
            )
        }
    }

    func checkpoint(_ lease: Lease, _ data: Data) throws -> Bool {
        try connection.execute(
            """
            UPDATE jobs SET checkpoint = ?3, updated_at = ?4
            WHERE id = ?1 AND state = 'leased' AND lease_token = ?2 AND lease_expires_at > ?4
            """,
            [.integer(lease.jobID), .integer(lease.token), .blob(data), .integer(now.millisecondsSince1970)]
        ) == 1
    }

    /// Applies a worker's outcome to the job its held lease covers (`row`), and its effects.
    private func settle(_ settlement: Settlement, row: AttemptRow, liveGroups: inout Set<String>) throws
        -> SettlementResult
    {
        let result: SettlementResult
        switch settlement.outcome {
        case .complete:
            // Before the head finishes, which promotes the next blocked job: an absorbed job is never promoted.
            try absorb(settlement.effects.absorb, behind: row)
            result = try endAttempt(row, with: .succeeded)
        case .fail(let error, let retryable):
            result = try endAttempt(row, with: .failed(error: error, retryable: retryable))
        case .snooze(let delay):
            result = try endAttempt(row, with: .snoozed(delay))
        }
        for job in settlement.effects.enqueue {
            _ = try enqueue(job, liveGroups: &liveGroups)
        }
        for hold in settlement.effects.holds {
            try self.hold(hold)
        }
        return result
    }

    /// Completes jobs blocked behind `head` in its group, as the head's completion answers them too.
    private func absorb(_ ids: [Int64], behind head: AttemptRow) throws {
        guard let group = head.groupKey else { return }
        for id in ids {
            if rules.completedRetention != nil {
                try connection.execute(
                    """
                    UPDATE jobs SET state = 'completed', finished_at = ?3, updated_at = ?3
                    WHERE id = ?1 AND state = 'blocked' AND group_key = ?2
                    """,
                    [.integer(id), .text(group), .integer(now.millisecondsSince1970)]
                )
            } else {
                try connection.execute(
                    "DELETE FROM jobs WHERE id = ?1 AND state = 'blocked' AND group_key = ?2",
                    [.integer(id), .text(group)]
                )
            }
        }
    }

    /// The jobs the leases cover, where the lease is current and unexpired: the fence every settlement
    /// passes, read in one statement for a whole batch.
    private func heldAttempts(_ leases: [Lease]) throws -> [Lease: AttemptRow] {
        guard !leases.isEmpty else { return [:] }
        let asked = Set(leases)
        let rows = try connection.query(
            "SELECT \(AttemptRow.columns), lease_token FROM jobs "
                + "WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'leased' AND lease_expires_at > ?2",
            [
                .integers(leases.map(\.jobID)),
                .integer(now.millisecondsSince1970),
            ]
        ) { (Lease(jobID: $0.int64(0), token: $0.int64(7)), AttemptRow($0)) }
        return Dictionary(rows.filter { asked.contains($0.0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Moves a leased job to its next state under the lifecycle rules.
    private func endAttempt(_ row: AttemptRow, with end: AttemptEnd) throws -> SettlementResult {
        let ending = try AttemptEnding(row, end, rules: rules, now: now)
        switch ending.step {
        case .finish:
            try finish(row)
        case .runAgain(let runAt, let refundAttempt):
            try connection.execute(
                """
                UPDATE jobs SET state = ?2, run_at = ?3, attempts = attempts - ?4, lease_expires_at = NULL,
                                worker_id = NULL, last_error = coalesce(?5, last_error),
                                error_history = coalesce(?6, error_history), updated_at = ?7
                WHERE id = ?1
                """,
                [
                    .integer(row.id), .text(runAt <= now ? JobState.ready.rawValue : JobState.scheduled.rawValue),
                    .integer(runAt.millisecondsSince1970), .integer(refundAttempt ? 1 : 0),
                    .optionalText(ending.failure?.lastError), .optionalText(ending.failure?.history),
                    .integer(now.millisecondsSince1970),
                ]
            )
        case .deadLetter(let reason):
            try connection.execute(
                """
                UPDATE jobs SET state = 'dead', dead_reason = ?2, lease_expires_at = NULL, worker_id = NULL,
                                last_error = coalesce(?3, last_error), error_history = coalesce(?4, error_history),
                                finished_at = ?5, updated_at = ?5
                WHERE id = ?1
                """,
                [
                    .integer(row.id), .text(reason.rawValue), .optionalText(ending.failure?.lastError),
                    .optionalText(ending.failure?.history), .integer(now.millisecondsSince1970),
                ]
            )
            if let key = row.dedupeKey {
                try releaseDedupeKey(key, heldBy: row.id)
            }
            try enqueueDeadLetterNotice(for: row.id)
            try promoteNext(inGroup: row.groupKey)
        }
        return ending.result
    }

    private func finish(_ row: AttemptRow) throws {
        if rules.completedRetention != nil {
            try connection.execute(
                """
                UPDATE jobs SET state = 'completed', lease_expires_at = NULL, worker_id = NULL, finished_at = ?2,
                                updated_at = ?2
                WHERE id = ?1
                """,
                [.integer(row.id), .integer(now.millisecondsSince1970)]
            )
        } else {
            try connection.execute("DELETE FROM jobs WHERE id = ?1", [.integer(row.id)])
        }
        try promoteNext(inGroup: row.groupKey)
    }

    /// Enqueues the job's dead-letter notice, if it names one: same payload, priority and checkpoint,
    /// ready at once.
    private func enqueueDeadLetterNotice(for id: Int64) throws {
        try connection.execute(
            """
            INSERT INTO jobs (queue, kind, payload, priority, state, run_at, max_attempts, created_at, updated_at,
                              checkpoint)
            SELECT dead_letter_queue, dead_letter_kind, payload, priority, 'ready', ?2, ?3, ?2, ?2, checkpoint
            FROM jobs WHERE id = ?1 AND dead_letter_kind IS NOT NULL
            """,
            [.integer(id), .integer(now.millisecondsSince1970), .integer(rules.defaultMaxAttempts)]
        )
    }

    /// Makes the oldest blocked job of a group its new head, once the previous head is no longer live.
    func promoteNext(inGroup group: String?) throws {
        guard let group else { return }
        try connection.execute(
            """
            UPDATE jobs SET state = CASE WHEN run_at <= ?2 THEN 'ready' ELSE 'scheduled' END, updated_at = ?2
            WHERE id = (SELECT id FROM jobs WHERE group_key = ?1 AND state = 'blocked' ORDER BY id LIMIT 1)
            """,
            [.text(group), .integer(now.millisecondsSince1970)]
        )
    }

    // MARK: Retention

    /// Deletes at most `limit` completed jobs whose retention window has passed.
    @discardableResult
    func pruneCompleted(limit: Int) throws -> Int {
        guard let retention = rules.completedRetention else { return 0 }
        return try connection.execute(
            """
            DELETE FROM jobs WHERE id IN (
                SELECT id FROM jobs WHERE state = 'completed' AND finished_at <= ?1 ORDER BY finished_at LIMIT ?2)
            """,
            [.integer((now - retention).millisecondsSince1970), .integer(limit)]
        )
    }
}
