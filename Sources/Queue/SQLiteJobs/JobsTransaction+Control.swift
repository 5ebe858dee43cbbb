extension JobsTransaction {
    func cancel(_ id: Int64) throws -> JobState? {
        guard let (state, group) = try stateAndGroup(id) else { return nil }
        guard JobState.live.contains(state) else { return state }
        // Out of `leased`, the holder finds its lease gone when it next looks (its lease check, after this
        // commit moves the file's data_version). The lease's expiry stays: the attempt may run until then.
        try connection.execute(
            """
            UPDATE jobs SET state = 'dead', dead_reason = ?2, worker_id = NULL, finished_at = ?3, updated_at = ?3
            WHERE id = ?1
            """,
            [.integer(id), .text(DeadLetterReason.cancelled.rawValue), .integer(now.millisecondsSince1970)]
        )
        if state != .blocked {
            try promoteNext(inGroup: group)
        }
        return state
    }

    func runNow(_ id: Int64) throws -> JobState? {
        guard let (state, _) = try stateAndGroup(id) else { return nil }
        switch state {
        case .scheduled:
            // Not a redriven job still waiting for its cancelled attempt to stop.
            try connection.execute(
                """
                UPDATE jobs SET state = 'ready', run_at = ?2, updated_at = ?2
                WHERE id = ?1 AND (lease_expires_at IS NULL OR lease_expires_at <= ?2)
                """,
                [.integer(id), .integer(now.millisecondsSince1970)])
        case .dead:
            _ = try redrive(deadLetter: id)
        case .ready, .leased, .blocked, .completed:
            break
        }
        return state
    }

    func pausedQueues(among queues: [String]) throws -> Set<String> {
        Set(
            try queues.filter { queue in
                try connection.queryFirst("SELECT 1 FROM paused_queues WHERE queue = ?1", [.text(queue)]) { _ in true }
                    ?? false
            })
    }

    func setPaused(_ queue: String, _ paused: Bool) throws -> Bool {
        let changed =
            paused
            ? try connection.execute(
                "INSERT INTO paused_queues (queue, paused_at) VALUES (?1, ?2) ON CONFLICT (queue) DO NOTHING",
                [.text(queue), .integer(now.millisecondsSince1970)])
            : try connection.execute("DELETE FROM paused_queues WHERE queue = ?1", [.text(queue)])
        return changed == 1
    }

    private func stateAndGroup(_ id: Int64) throws -> (JobState, String?)? {
        try connection.queryFirst("SELECT state, group_key FROM jobs WHERE id = ?1", [.integer(id)]) {
            (JobState(rawValue: $0.text(0)) ?? .dead, $0.optionalText(1))
        }
    }
}

extension JobsTransaction {
    func register(_ registration: WorkerRegistration) throws {
        let values = registration.columnValues(seenAt: now)
        try connection.execute(
            """
            INSERT INTO workers (\(WorkerRecord.columns))
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version,
                queues = excluded.queues, concurrency = excluded.concurrency, started_at = excluded.started_at,
                refresh_ms = excluded.refresh_ms, seen_at = excluded.seen_at, in_flight = excluded.in_flight,
                stopped = excluded.stopped, tally = excluded.tally, wakeups = excluded.wakeups
            """,
            [
                .text(registration.id), .text(registration.host), .integer(Int64(registration.pid)),
                .text(registration.version), .text(values.queues), .integer(Int64(registration.concurrency)),
                .integer(registration.startedAt.millisecondsSince1970), .integer(values.refreshMilliseconds),
                .integer(values.seenAt), .integer(Int64(registration.inFlight)),
                .integer(registration.stopped ? 1 : 0), .text(values.tally), .text(values.wakeups),
            ]
        )
        try connection.execute(
            "DELETE FROM workers WHERE id IN (SELECT id FROM workers WHERE seen_at <= ?1 ORDER BY seen_at LIMIT 4)",
            [.integer((now - WorkerRecord.keptFor).millisecondsSince1970)])
    }
}

extension JobsTransaction {
    func dueSchedules(limit: Int) throws -> [(Schedule, tick: Timestamp)] {
        try connection.query(
            "SELECT \(ScheduleRecord.columns) FROM schedules WHERE next_run_at <= ?1 ORDER BY next_run_at LIMIT ?2",
            [.integer(now.millisecondsSince1970), .integer(limit)]
        ) { row in
            let record = try ScheduleRecord(row)
            return (record.schedule, tick: record.nextRunAt ?? now)
        }
    }

    func setNextRun(_ name: String, _ next: Timestamp?) throws {
        try connection.execute(
            "UPDATE schedules SET next_run_at = ?2 WHERE name = ?1",
            [.text(name), next.map { .integer($0.millisecondsSince1970) } ?? .null])
    }

    func addSchedule(_ schedule: Schedule, nextRunAt: Timestamp?, replacing: Bool) throws -> Bool {
        let written = try connection.execute(
            """
            INSERT INTO schedules (name, cron, timezone, queue, kind, payload, next_run_at, created_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone,
                queue = excluded.queue, kind = excluded.kind, payload = excluded.payload,
                next_run_at = excluded.next_run_at
            WHERE ?9
            """,
            [
                .text(schedule.name), .text(schedule.cron.description), .text(schedule.timeZoneName),
                .text(schedule.queue), .text(schedule.kind), .blob(schedule.payload),
                nextRunAt.map { .integer($0.millisecondsSince1970) } ?? .null, .integer(now.millisecondsSince1970),
                .integer(replacing ? 1 : 0),
            ])
        return written == 1
    }

    func removeSchedule(_ name: String) throws -> Bool {
        try connection.execute("DELETE FROM schedules WHERE name = ?1", [.text(name)]) == 1
    }
}
