extension PostgresJobsTransaction {
    func cancel(_ id: Int64) throws -> JobState? {
        guard let (state, group) = try lockedStateAndGroup(id) else { return nil }
        guard JobState.live.contains(state) else { return state }
        if let group, state != .blocked {
            _ = try lockGroups([group])
        }
        // Out of `leased`; the notice (sent at commit) has the holder look at its leases at once. The
        // lease's expiry stays: the attempt may run until then.
        try connection.execute(
            """
            UPDATE switchboard.jobs SET state = 'dead', dead_reason = $2, worker_id = NULL, finished_at = $3, updated_at = $3
            WHERE id = $1
            """,
            [.int8(id), .text(DeadLetterReason.cancelled.rawValue), .int8(now.millisecondsSince1970)]
        )
        if state == .leased {
            try connection.execute("SELECT pg_notify($1, '')", [.text(PostgresJobStorage.cancelChannel)])
        }
        if let group, state != .blocked {
            try promoteNext(inGroups: [group])
        }
        return state
    }

    func runNow(_ id: Int64) throws -> JobState? {
        guard let (state, _) = try lockedStateAndGroup(id) else { return nil }
        switch state {
        case .scheduled:
            // Not a redriven job still waiting for its cancelled attempt to stop.
            try connection.execute(
                """
                UPDATE switchboard.jobs SET state = 'ready', run_at = $2, updated_at = $2
                WHERE id = $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $2)
                """,
                [.int8(id), .int8(now.millisecondsSince1970)])
        case .dead:
            _ = try redrive(deadLetters: [id])
        case .ready, .leased, .blocked, .completed:
            break
        }
        return state
    }

    func pausedQueues(among queues: [String]) throws -> Set<String> {
        Set(
            try connection.execute(
                "SELECT queue FROM switchboard.paused_queues WHERE queue = ANY($1)", [.textArray(queues)]
            ).rows { $0.text(0) })
    }

    /// A resumed queue wakes the workers waiting on `LISTEN`, as a new job would.
    func setPaused(_ queue: String, _ paused: Bool) throws -> Bool {
        let changed =
            paused
            ? try connection.execute(
                "INSERT INTO switchboard.paused_queues (queue, paused_at) VALUES ($1, $2) ON CONFLICT (queue) DO NOTHING",
                [.text(queue), .int8(now.millisecondsSince1970)]
            ).affectedRows
            : try connection.execute("DELETE FROM switchboard.paused_queues WHERE queue = $1", [.text(queue)])
                .affectedRows
        if changed == 1 && !paused {
            try connection.execute("SELECT pg_notify('switchboard_jobs', '')")
        }
        return changed == 1
    }

    private func lockedStateAndGroup(_ id: Int64) throws -> (JobState, String?)? {
        try connection.execute(
            "SELECT state, group_key FROM switchboard.jobs WHERE id = $1 FOR UPDATE", [.int8(id)]
        ).first { (JobState(rawValue: $0.text(0)) ?? .dead, $0.optionalText(1)) }
    }
}

extension PostgresJobsTransaction {
    func register(_ registration: WorkerRegistration) throws {
        let values = registration.columnValues(seenAt: now)
        try connection.execute(
            """
            INSERT INTO switchboard.workers (\(WorkerRecord.columns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version,
                queues = excluded.queues, concurrency = excluded.concurrency, started_at = excluded.started_at,
                refresh_ms = excluded.refresh_ms, seen_at = excluded.seen_at, in_flight = excluded.in_flight,
                stopped = excluded.stopped, tally = excluded.tally, wakeups = excluded.wakeups
            """,
            [
                .text(registration.id), .text(registration.host), .int8(Int64(registration.pid)),
                .text(registration.version), .text(values.queues), .int8(Int64(registration.concurrency)),
                .int8(registration.startedAt.millisecondsSince1970), .int8(values.refreshMilliseconds),
                .int8(values.seenAt), .int8(Int64(registration.inFlight)), .int8(registration.stopped ? 1 : 0),
                .text(values.tally), .text(values.wakeups),
            ]
        )
        try connection.execute(
            """
            DELETE FROM switchboard.workers WHERE id IN (
                SELECT id FROM switchboard.workers WHERE seen_at <= $1 ORDER BY seen_at LIMIT 4 FOR UPDATE SKIP LOCKED)
            """,
            [.int8((now - WorkerRecord.keptFor).millisecondsSince1970)])
    }
}

extension PostgresJobsTransaction {
    /// Locks the due rows it returns, skipping those another firer holds: that one fires them.
    func dueSchedules(limit: Int) throws -> [(Schedule, tick: Timestamp)] {
        try connection.execute(
            """
            SELECT \(ScheduleRecord.columns) FROM switchboard.schedules WHERE next_run_at <= $1
            ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED
            """,
            [.int8(now.millisecondsSince1970), .integer(limit)]
        ).rows { row in
            let record = try ScheduleRecord(row)
            return (record.schedule, tick: record.nextRunAt ?? now)
        }
    }

    func setNextRun(_ name: String, _ next: Timestamp?) throws {
        try connection.execute(
            "UPDATE switchboard.schedules SET next_run_at = $2 WHERE name = $1",
            [.text(name), .optionalInt8(next?.millisecondsSince1970)])
    }

    func addSchedule(_ schedule: Schedule, nextRunAt: Timestamp?, replacing: Bool) throws -> Bool {
        try connection.execute(
            """
            INSERT INTO switchboard.schedules (name, cron, timezone, queue, kind, payload, next_run_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone,
                queue = excluded.queue, kind = excluded.kind, payload = excluded.payload,
                next_run_at = excluded.next_run_at
            WHERE $9
            """,
            [
                .text(schedule.name), .text(schedule.cron.description), .text(schedule.timeZoneName),
                .text(schedule.queue), .text(schedule.kind), .bytea(schedule.payload),
                .optionalInt8(nextRunAt?.millisecondsSince1970), .int8(now.millisecondsSince1970), .bool(replacing),
            ]
        ).affectedRows == 1
    }

    func removeSchedule(_ name: String) throws -> Bool {
        try connection.execute("DELETE FROM switchboard.schedules WHERE name = $1", [.text(name)]).affectedRows == 1
    }
}
