import Foundation

/// The job tables as seen from inside one PostgreSQL transaction, at one instant.
///
/// Every method works on a whole batch, so a worker's round (its settlements, heartbeats and claims)
/// costs a handful of statements however many jobs it carries, and the writes whose results it does not
/// read (job rows, endings, promotions, history) go to the server with the statement after them
/// (`PGConnection.executeLater`), so they cost no round trip of their own. Under concurrency: claims, lease
/// recovery and pruning take rows with `FOR UPDATE SKIP LOCKED`, so workers never wait for each other;
/// every write that looks at an ordering group first takes the group's advisory lock (to the end of the
/// transaction), so one live job per group holds fleet-wide; a dedupe key is taken with `INSERT ... ON
/// CONFLICT`, so two enqueues of one key never both win. `PostgresJobStorage` opens the transaction and
/// tries it again as a whole on a serialization failure or a deadlock.
package final class PostgresJobsTransaction: JobWriteTransaction, JobsWriting {
    package let connection: PGConnection
    /// The server's clock at the transaction's start (or, in a test, the store's clock).
    package let now: Timestamp
    let rules: JobRules
    package let sql: any SQLExecutor
    private var lockedGroups: Set<String> = []
    /// Job ids drawn in the transaction's opening round trip, ascending, not yet taken.
    private var reservedIDs: [Int64]

    static let liveStates = "('scheduled', 'ready', 'leased', 'blocked')"

    init(connection: PGConnection, now: Timestamp, sql: PostgresExecutor, rules: JobRules, reservedIDs: [Int64] = []) {
        self.connection = connection
        self.now = now
        self.sql = sql
        self.rules = rules
        self.reservedIDs = reservedIDs
    }

    /// An expression for a transaction's opening `SELECT` that draws `count` job ids, as an int8 array.
    static func reservingIDs(_ count: Int) -> String {
        "(SELECT array_agg(nextval('switchboard.jobs_id_seq')) FROM generate_series(1, \(count)))"
    }

    /// The ids of `reservingIDs`' value (`{4,5,6}`), ascending.
    static func ids(_ array: String?) throws -> [Int64] {
        guard let array, array.hasPrefix("{"), array.hasSuffix("}") else {
            throw QueueError(.internal, "PostgreSQL did not hand out job ids")
        }
        return try array.dropFirst().dropLast().split(separator: ",").map { text in
            guard let id = Int64(text) else { throw QueueError(.internal, "PostgreSQL handed out a job id of \(text)") }
            return id
        }.sorted()
    }

    private var nowValue: PGValue { .int8(now.millisecondsSince1970) }

    // MARK: Enqueue

    /// Writes the jobs whose dedupe keys are not live, with their keys and attachments; the others are
    /// duplicates of the job holding the key (or of an earlier job of the same batch).
    func enqueue(_ jobs: [NewJob]) throws -> [EnqueueResult] {
        var results = [EnqueueResult?](repeating: nil, count: jobs.count)
        var firstWithKey: [String: Int] = [:]
        var candidates: [Int] = []
        for (index, job) in jobs.enumerated() {
            if let key = job.dedupe?.key {
                guard firstWithKey[key] == nil else { continue }
                firstWithKey[key] = index
            }
            candidates.append(index)
        }
        var ids = Dictionary(uniqueKeysWithValues: zip(candidates, try reserveIDs(candidates.count)))
        for (index, holder) in try takeDedupeKeys(jobs, candidates: candidates, ids: ids) {
            results[index] = EnqueueResult(jobID: holder, status: .duplicate)
            ids[index] = nil
        }
        let inserting = candidates.filter { ids[$0] != nil }
        try insert(inserting.map { (ids[$0]!, jobs[$0]) })
        for index in inserting {
            results[index] = EnqueueResult(jobID: ids[index]!, status: .enqueued)
        }
        for (index, job) in jobs.enumerated() where results[index] == nil {
            results[index] = EnqueueResult(jobID: results[firstWithKey[job.dedupe!.key]!]!.jobID, status: .duplicate)
        }
        return results.map { $0! }
    }

    /// `count` fresh job ids, ascending, so a batch keeps its order: those drawn when the transaction
    /// opened, else from the sequence now.
    private func reserveIDs(_ count: Int) throws -> [Int64] {
        guard count > 0 else { return [] }
        if count <= reservedIDs.count {
            defer { reservedIDs.removeFirst(count) }
            return Array(reservedIDs.prefix(count))
        }
        return try connection.execute(
            "SELECT nextval('switchboard.jobs_id_seq') FROM generate_series(1, $1)", [.integer(count)]
        ).rows { $0.int64(0) }.sorted()
    }

    /// Takes the dedupe keys of the candidate jobs that have one (a key whose holder expired is taken
    /// over); returns the candidates whose key is live, each with the id of the job holding it.
    private func takeDedupeKeys(_ jobs: [NewJob], candidates: [Int], ids: [Int: Int64]) throws -> [(Int, Int64)] {
        let keyed = candidates.filter { jobs[$0].dedupe != nil }.sorted { jobs[$0].dedupe!.key < jobs[$1].dedupe!.key }
        guard !keyed.isEmpty else { return [] }
        let keys = keyed.map { jobs[$0].dedupe!.key }
        let taken = Set(
            try connection.execute(
                """
                INSERT INTO switchboard.dedupe_keys (key, job_id, expires_at)
                SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[])
                ON CONFLICT (key) DO UPDATE SET job_id = EXCLUDED.job_id, expires_at = EXCLUDED.expires_at
                WHERE dedupe_keys.expires_at <= $4
                RETURNING key
                """,
                [
                    .textArray(keys), .int8Array(keyed.map { ids[$0]! }),
                    .int8Array(keyed.map { (now + jobs[$0].dedupe!.timeToLive).millisecondsSince1970 }), nowValue,
                ]
            ).rows { $0.text(0) })
        let lost = keyed.filter { !taken.contains(jobs[$0].dedupe!.key) }
        guard !lost.isEmpty else { return [] }
        // ON CONFLICT locked each live key's row, so its holder cannot change before this transaction ends.
        let holders = Dictionary(
            uniqueKeysWithValues: try connection.execute(
                "SELECT key, job_id FROM switchboard.dedupe_keys WHERE key = ANY($1)",
                [.textArray(lost.map { jobs[$0].dedupe!.key })]
            ).rows { ($0.text(0), $0.int64(1)) })
        return try lost.map { index in
            guard let holder = holders[jobs[index].dedupe!.key] else {
                throw QueueError(.internal, "a live dedupe key vanished while this transaction held its row lock")
            }
            return (index, holder)
        }
    }

    /// Inserts jobs under the ids reserved for them, in order: a job of a group that has a live job (or
    /// gets one earlier in the batch) waits blocked behind it. The rows go to the server with the
    /// transaction's next statement (its COMMIT at the latest).
    private func insert(_ jobs: [(id: Int64, job: NewJob)]) throws {
        guard !jobs.isEmpty else { return }
        var live = try lockGroups(Set(jobs.compactMap(\.job.groupKey)))
        var states: [String] = []
        var runAts: [Int64] = []
        for (_, job) in jobs {
            let runAt = job.runAt.resolve(now: now)
            let state: JobState
            if let group = job.groupKey, live.contains(group) {
                state = .blocked
            } else {
                state = runAt <= now ? .ready : .scheduled
            }
            if let group = job.groupKey {
                live.insert(group)
            }
            states.append(state.rawValue)
            runAts.append(runAt.millisecondsSince1970)
        }
        connection.executeLater(
            """
            INSERT INTO switchboard.jobs (id, queue, kind, payload, priority, state, run_at, max_attempts, group_key, dedupe_key,
                              dead_letter_queue, dead_letter_kind, created_at, updated_at)
            SELECT id, queue, kind, payload, priority, state, run_at, max_attempts, group_key, dedupe_key,
                   dead_letter_queue, dead_letter_kind, $13, $13
            FROM unnest($1::int8[], $2::text[], $3::text[], $4::bytea[], $5::int8[], $6::text[], $7::int8[],
                        $8::int8[], $9::text[], $10::text[], $11::text[], $12::text[])
                AS t(id, queue, kind, payload, priority, state, run_at, max_attempts, group_key, dedupe_key,
                     dead_letter_queue, dead_letter_kind)
            """,
            [
                .int8Array(jobs.map(\.id)), .textArray(jobs.map(\.job.queue)), .textArray(jobs.map(\.job.kind)),
                .byteaArray(jobs.map(\.job.payload)), .int8Array(jobs.map { Int64($0.job.priority) }),
                .textArray(states), .int8Array(runAts),
                .int8Array(jobs.map { Int64($0.job.maxAttempts ?? rules.defaultMaxAttempts) }),
                .textArray(jobs.map(\.job.groupKey)), .textArray(jobs.map(\.job.dedupe?.key)),
                .textArray(jobs.map(\.job.onDeadLetter?.queue)), .textArray(jobs.map(\.job.onDeadLetter?.kind)),
                nowValue,
            ]
        )
        for (id, job) in jobs {
            for attachment in job.attachments {
                try attachment.write(jobID: id, in: self)
            }
        }
    }

    /// Takes the advisory locks of `groups` not yet held (in one order, so two transactions never wait on
    /// each other in a circle for them), and returns those of `groups` that have a live job.
    func lockGroups(_ groups: Set<String>) throws -> Set<String> {
        guard !groups.isEmpty else { return [] }
        let unlocked = groups.subtracting(lockedGroups)
        if !unlocked.isEmpty {
            try connection.execute(
                """
                SELECT pg_advisory_xact_lock(h)
                FROM (SELECT DISTINCT hashtextextended(g, 0) AS h FROM unnest($1::text[]) AS g ORDER BY h) AS locks
                """,
                [.textArray(Array(unlocked))]
            )
            lockedGroups.formUnion(unlocked)
        }
        return Set(
            try connection.execute(
                "SELECT DISTINCT group_key FROM switchboard.jobs WHERE group_key = ANY($1) AND state IN \(Self.liveStates)",
                [.textArray(Array(groups))]
            ).rows { $0.text(0) })
    }

    /// Deletes at most `limit` expired dedupe keys, oldest first, skipping keys other transactions hold.
    @discardableResult
    func pruneExpiredDedupeKeys(limit: Int) throws -> Int {
        try connection.execute(
            """
            DELETE FROM switchboard.dedupe_keys WHERE key IN (
                SELECT key FROM switchboard.dedupe_keys WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            """,
            [nowValue, .integer(limit)]
        ).affectedRows
    }

    // MARK: Claim

    /// Leases up to `limit` ready jobs of `kinds` (nil for any): highest priority first, then oldest;
    /// rows other workers are taking are skipped, never waited for.
    func lease(queues: [String], kinds: [String]?, limit: Int, leaseDuration: Duration, workerID: String) throws
        -> [ClaimedJob]
    {
        let kindCondition = kinds == nil ? "" : " AND kind = ANY($6)"
        let chosen: String
        var values: [PGValue] = [
            .int8((now + leaseDuration).millisecondsSince1970), .text(workerID), nowValue, .integer(limit),
        ]
        if queues.count == 1 {
            chosen = """
                SELECT id AS chosen_id FROM switchboard.jobs WHERE state = 'ready' AND queue = $5\(kindCondition)
                ORDER BY priority DESC, id LIMIT $4 FOR UPDATE SKIP LOCKED
                """
            values.append(.text(queues[0]))
        } else {
            chosen = """
                SELECT id AS chosen_id FROM switchboard.jobs WHERE id = ANY($5) AND state = 'ready'\(kindCondition)
                ORDER BY priority DESC, id LIMIT $4 FOR UPDATE SKIP LOCKED
                """
            values.append(.int8Array(try candidates(queues: queues, kinds: kinds, limit: limit)))
        }
        if let kinds {
            values.append(.textArray(kinds))
        }
        let expiresAt = now + leaseDuration
        return try connection.execute(
            """
            WITH chosen AS (\(chosen))
            UPDATE switchboard.jobs SET state = 'leased', attempts = attempts + 1, lease_token = lease_token + 1,
                            lease_expires_at = $1, worker_id = $2, updated_at = $3
            FROM chosen WHERE jobs.id = chosen.chosen_id
            RETURNING \(ClaimedJob.columns)
            """,
            values
        ).rows { ClaimedJob($0, leaseExpiresAt: expiresAt) }
            .sorted { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id < $1.id }
    }

    /// The ids of the `limit` best ready jobs over several queues, looked up queue by queue through the
    /// ready index and merged, highest priority first, then oldest.
    private func candidates(queues: [String], kinds: [String]?, limit: Int) throws -> [Int64] {
        var found: [(priority: Int64, id: Int64)] = []
        for queue in queues {
            found += try connection.execute(
                "SELECT priority, id FROM switchboard.jobs WHERE state = 'ready' AND queue = $1"
                    + (kinds == nil ? "" : " AND kind = ANY($3)") + " ORDER BY priority DESC, id LIMIT $2",
                [.text(queue), .integer(limit)] + (kinds.map { [.textArray($0)] } ?? [])
            ).rows { ($0.int64(0), $0.int64(1)) }
        }
        found.sort { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id < $1.id }
        return found.prefix(limit).map(\.id)
    }

    /// Moves scheduled jobs whose run-at has come to `ready`, at most `limit`, earliest first.
    func promoteDueScheduled(limit: Int) throws {
        connection.executeLater(
            """
            UPDATE switchboard.jobs SET state = 'ready', updated_at = $1 WHERE id IN (
                SELECT id FROM switchboard.jobs WHERE state = 'scheduled' AND run_at <= $1 ORDER BY run_at LIMIT $2
                FOR UPDATE SKIP LOCKED)
            """,
            [nowValue, .integer(limit)]
        )
    }

    /// Ends the attempts whose leases ran out, at most `limit`: back to ready, or dead-lettered when it
    /// was the last attempt.
    func recoverExpiredLeases(limit: Int) throws {
        let expired = try connection.execute(
            """
            SELECT \(AttemptRow.columns) FROM switchboard.jobs WHERE state = 'leased' AND lease_expires_at <= $1
            ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
            """,
            [nowValue, .integer(limit)]
        ).rows(AttemptRow.init)
        _ = try lockGroups(Set(expired.compactMap(\.groupKey)))
        try apply(try expired.map { try AttemptEnding($0, .leaseExpired, rules: rules, now: now) })
    }

    /// The earliest time a scheduled job of `kinds` (nil for any) falls due or a lease expires, if any job
    /// is waiting on either.
    func nextDueAt(kinds: [String]?) throws -> Timestamp? {
        let kindCondition = kinds == nil ? "" : " AND kind = ANY($1)"
        return try connection.execute(
            """
            SELECT least((SELECT min(run_at) FROM switchboard.jobs WHERE state = 'scheduled'\(kindCondition)),
                         (SELECT min(lease_expires_at) FROM switchboard.jobs WHERE state = 'leased'\(kindCondition)))
            """,
            kinds.map { [.textArray($0)] } ?? []
        ).first { $0.optionalInt64(0) }.flatMap { $0 }.map(Timestamp.init(millisecondsSince1970:))
    }

    // MARK: Settle

    func checkpoint(_ lease: Lease, _ data: Data) throws -> Bool {
        try connection.execute(
            """
            UPDATE switchboard.jobs SET checkpoint = $3, updated_at = $4
            WHERE id = $1 AND state = 'leased' AND lease_token = $2 AND lease_expires_at > $4
            RETURNING id
            """,
            [.int8(lease.jobID), .int8(lease.token), .bytea(data), nowValue]
        ).rows { $0.int64(0) }.count == 1
    }

    /// Clears the lease expiry a cancelled attempt kept, once its worker says its work stopped; a redriven
    /// job waiting for it runs at once.
    func confirmStopped(_ leases: [Lease]) throws {
        try connection.execute(
            """
            UPDATE switchboard.jobs SET lease_expires_at = NULL, updated_at = $3,
                            state = CASE WHEN state = 'scheduled' THEN 'ready' ELSE state END,
                            run_at = CASE WHEN state = 'dead' THEN run_at ELSE least(run_at, $3) END
            FROM unnest($1::int8[], $2::int8[]) AS stopped(id, token)
            WHERE jobs.id = stopped.id AND jobs.lease_token = stopped.token
              AND state IN ('dead', 'scheduled', 'blocked') AND lease_expires_at IS NOT NULL
            """,
            [.int8Array(leases.map(\.jobID)), .int8Array(leases.map(\.token)), nowValue]
        )
    }

    /// Extends the leases still held to `now + leaseDuration`; returns those no longer held.
    func heartbeat(_ leases: [Lease], leaseDuration: Duration) throws -> [Lease] {
        guard !leases.isEmpty else { return [] }
        let renewed = Set(
            try connection.execute(
                """
                UPDATE switchboard.jobs SET lease_expires_at = $3, updated_at = $4
                FROM unnest($1::int8[], $2::int8[]) AS held(id, token)
                WHERE jobs.id = held.id AND jobs.lease_token = held.token AND state = 'leased'
                  AND lease_expires_at > $4
                RETURNING jobs.id
                """,
                [
                    .int8Array(leases.map(\.jobID)), .int8Array(leases.map(\.token)),
                    .int8((now + leaseDuration).millisecondsSince1970), nowValue,
                ]
            ).rows { $0.int64(0) })
        return leases.filter { !renewed.contains($0.jobID) }
    }

    /// Applies each settlement whose lease is still held, with its effects; the others are `.leaseLost`.
    func settle(_ settlements: [Settlement]) throws -> [SettlementResult] {
        guard !settlements.isEmpty else { return [] }
        let held = try heldAttempts(settlements.map(\.lease))
        _ = try lockGroups(Set(held.values.compactMap(\.groupKey)))
        var results = [SettlementResult](repeating: .leaseLost, count: settlements.count)
        var endings: [AttemptEnding] = []
        var absorbed: [(id: Int64, group: String)] = []
        var ending: Set<Int64> = []
        for (index, settlement) in settlements.enumerated() {
            // A lease is settled once: a second settlement of it in the batch finds it no longer held.
            guard let row = held[settlement.lease.jobID], ending.insert(row.id).inserted else { continue }
            let end: AttemptEnd
            switch settlement.outcome {
            case .complete:
                end = .succeeded
                // Before the head finishes, which promotes the next blocked job: an absorbed job is never promoted.
                if let group = row.groupKey {
                    absorbed += settlement.effects.absorb.map { ($0, group) }
                }
            case .fail(let error, let retryable):
                end = .failed(error: error, retryable: retryable)
            case .snooze(let delay):
                end = .snoozed(delay)
            }
            let ending = try AttemptEnding(row, end, rules: rules, now: now)
            endings.append(ending)
            results[index] = ending.result
        }
        try absorb(absorbed)
        try apply(endings)
        let settled = settlements.indices.filter { results[$0] != .leaseLost }.map { settlements[$0] }
        let followUps = settled.flatMap(\.effects.enqueue)
        if !followUps.isEmpty {
            _ = try enqueue(followUps)
        }
        try hold(settled.flatMap(\.effects.holds))
        return results
    }

    /// The jobs the leases cover, where the lease is current and unexpired (the fence every settlement
    /// passes), locked in id order.
    private func heldAttempts(_ leases: [Lease]) throws -> [Int64: AttemptRow] {
        let rows = try connection.execute(
            """
            SELECT \(AttemptRow.columns) FROM switchboard.jobs
            WHERE (id, lease_token) IN (SELECT * FROM unnest($1::int8[], $2::int8[]))
              AND state = 'leased' AND lease_expires_at > $3
            ORDER BY id FOR UPDATE
            """,
            [.int8Array(leases.map(\.jobID)), .int8Array(leases.map(\.token)), nowValue]
        ).rows(AttemptRow.init)
        return Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Completes jobs blocked behind their group's head, as the head's completion answers them too.
    private func absorb(_ jobs: [(id: Int64, group: String)]) throws {
        guard !jobs.isEmpty else { return }
        let ids = PGValue.int8Array(jobs.map(\.id))
        let groups = PGValue.textArray(jobs.map(\.group))
        if rules.completedRetention != nil {
            connection.executeLater(
                """
                UPDATE switchboard.jobs SET state = 'completed', finished_at = $3, updated_at = $3
                FROM unnest($1::int8[], $2::text[]) AS absorbed(id, group_key)
                WHERE jobs.id = absorbed.id AND state = 'blocked' AND jobs.group_key = absorbed.group_key
                """,
                [ids, groups, nowValue]
            )
        } else {
            connection.executeLater(
                """
                DELETE FROM switchboard.jobs USING unnest($1::int8[], $2::text[]) AS absorbed(id, group_key)
                WHERE jobs.id = absorbed.id AND state = 'blocked' AND jobs.group_key = absorbed.group_key
                """,
                [ids, groups]
            )
        }
    }

    /// Writes the endings of attempts: each job to its next state, a statement per kind of step.
    private func apply(_ endings: [AttemptEnding]) throws {
        guard !endings.isEmpty else { return }
        var finished: [AttemptRow] = []
        var again: [(ending: AttemptEnding, runAt: Timestamp, refund: Bool)] = []
        var dead: [(ending: AttemptEnding, reason: DeadLetterReason)] = []
        for ending in endings {
            switch ending.step {
            case .finish: finished.append(ending.row)
            case .runAgain(let runAt, let refund): again.append((ending, runAt, refund))
            case .deadLetter(let reason): dead.append((ending, reason))
            }
        }
        try finish(finished)
        try runAgain(again)
        try deadLetter(dead)
        try promoteNext(inGroups: Set((finished + dead.map(\.ending.row)).compactMap(\.groupKey)))
    }

    private func finish(_ rows: [AttemptRow]) throws {
        guard !rows.isEmpty else { return }
        if rules.completedRetention != nil {
            connection.executeLater(
                """
                UPDATE switchboard.jobs SET state = 'completed', lease_expires_at = NULL, worker_id = NULL, finished_at = $2,
                                updated_at = $2
                WHERE id = ANY($1)
                """,
                [.int8Array(rows.map(\.id)), nowValue]
            )
        } else {
            connection.executeLater("DELETE FROM switchboard.jobs WHERE id = ANY($1)", [.int8Array(rows.map(\.id))])
        }
    }

    private func runAgain(_ jobs: [(ending: AttemptEnding, runAt: Timestamp, refund: Bool)]) throws {
        guard !jobs.isEmpty else { return }
        connection.executeLater(
            """
            UPDATE switchboard.jobs SET state = CASE WHEN again.run_at <= $6 THEN 'ready' ELSE 'scheduled' END,
                            run_at = again.run_at, attempts = attempts - again.refund, lease_expires_at = NULL,
                            worker_id = NULL, last_error = coalesce(again.last_error, jobs.last_error),
                            error_history = coalesce(again.error_history, jobs.error_history), updated_at = $6
            FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::text[], $5::text[]) AS again(id, run_at, refund,
                                                                                          last_error, error_history)
            WHERE jobs.id = again.id
            """,
            [
                .int8Array(jobs.map(\.ending.row.id)), .int8Array(jobs.map(\.runAt.millisecondsSince1970)),
                .int8Array(jobs.map { $0.refund ? 1 : 0 }), .textArray(jobs.map(\.ending.failure?.lastError)),
                .textArray(jobs.map(\.ending.failure?.history)), nowValue,
            ]
        )
    }

    /// Dead-letters jobs: releases the dedupe keys they still hold, so a redelivery is accepted, and
    /// enqueues the notices they name.
    private func deadLetter(_ jobs: [(ending: AttemptEnding, reason: DeadLetterReason)]) throws {
        guard !jobs.isEmpty else { return }
        let ids = jobs.map(\.ending.row.id)
        connection.executeLater(
            """
            UPDATE switchboard.jobs SET state = 'dead', dead_reason = dead.reason, lease_expires_at = NULL, worker_id = NULL,
                            last_error = coalesce(dead.last_error, jobs.last_error),
                            error_history = coalesce(dead.error_history, jobs.error_history), finished_at = $5,
                            updated_at = $5
            FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[]) AS dead(id, reason, last_error, error_history)
            WHERE jobs.id = dead.id
            """,
            [
                .int8Array(ids), .textArray(jobs.map(\.reason.rawValue)),
                .textArray(jobs.map(\.ending.failure?.lastError)), .textArray(jobs.map(\.ending.failure?.history)),
                nowValue,
            ]
        )
        let keyed = jobs.map(\.ending.row).filter { $0.dedupeKey != nil }
        if !keyed.isEmpty {
            connection.executeLater(
                """
                DELETE FROM switchboard.dedupe_keys USING unnest($1::text[], $2::int8[]) AS released(key, job_id)
                WHERE dedupe_keys.key = released.key AND dedupe_keys.job_id = released.job_id
                """,
                [.textArray(keyed.map(\.dedupeKey)), .int8Array(keyed.map(\.id))]
            )
        }
        connection.executeLater(
            """
            INSERT INTO switchboard.jobs (queue, kind, payload, priority, state, run_at, max_attempts, created_at,
                                          updated_at, checkpoint)
            SELECT dead_letter_queue, dead_letter_kind, payload, priority, 'ready', $2, $3, $2, $2, checkpoint
            FROM switchboard.jobs WHERE id = ANY($1) AND dead_letter_kind IS NOT NULL ORDER BY id
            """,
            [.int8Array(ids), nowValue, .integer(rules.defaultMaxAttempts)]
        )
    }

    /// Makes the oldest blocked job of each group its new head, once the previous head is no longer live.
    func promoteNext(inGroups groups: Set<String>) throws {
        guard !groups.isEmpty else { return }
        connection.executeLater(
            """
            UPDATE switchboard.jobs SET state = CASE WHEN jobs.run_at <= $2 THEN 'ready' ELSE 'scheduled' END, updated_at = $2
            FROM (SELECT DISTINCT ON (group_key) id FROM switchboard.jobs
                  WHERE group_key = ANY($1) AND state = 'blocked' ORDER BY group_key, id) AS next
            WHERE jobs.id = next.id
            """,
            [.textArray(Array(groups)), nowValue]
        )
    }

    // MARK: Rate holds

    /// Holds rate buckets for a time each from now, keeping the later end of this and any hold already
    /// there; and deletes a few holds that have ended. Under each bucket's advisory lock, exclusive, so a
    /// send slot being taken for the bucket (`reserveSendSlot`) either sees the hold or was taken before it.
    func hold(_ holds: [RateHold]) throws {
        guard !holds.isEmpty else { return }
        var latest: [String: Int64] = [:]
        for hold in holds {
            latest[hold.bucket] = max(latest[hold.bucket] ?? .min, hold.end(from: now).millisecondsSince1970)
        }
        let buckets = latest.keys.sorted()
        try lockRateBuckets(exclusive: buckets, shared: [])
        try connection.execute(
            """
            INSERT INTO switchboard.rate_holds (bucket, until) SELECT * FROM unnest($1::text[], $2::int8[])
            ON CONFLICT (bucket) DO UPDATE SET until = greatest(rate_holds.until, EXCLUDED.until)
            """,
            [.textArray(buckets), .int8Array(buckets.map { latest[$0]! })]
        )
        try connection.execute(
            """
            DELETE FROM switchboard.rate_holds WHERE bucket IN (
                SELECT bucket FROM switchboard.rate_holds WHERE until <= $1 LIMIT 8 FOR UPDATE SKIP LOCKED)
            """,
            [nowValue]
        )
    }

    /// Takes the transaction-level advisory locks of rate buckets, exclusive or shared (exclusive where a
    /// bucket is named as both), in one order, so two transactions never wait on each other in a circle
    /// for them. Every transaction takes them before any other lock on the rate holds, and none takes a
    /// job's row or a group's lock after them.
    func lockRateBuckets(exclusive: [String], shared: [String]) throws {
        try connection.execute(
            """
            SELECT CASE WHEN exclusive THEN pg_advisory_xact_lock(h) ELSE pg_advisory_xact_lock_shared(h) END
            FROM (SELECT h, bool_or(exclusive) AS exclusive
                  FROM (SELECT hashtextextended('rate hold ' || b, 0) AS h, true AS exclusive FROM unnest($1::text[]) AS b
                        UNION ALL
                        SELECT hashtextextended('rate hold ' || b, 0), false FROM unnest($2::text[]) AS b) AS wanted
                  GROUP BY h ORDER BY h) AS locks
            """,
            [.textArray(exclusive), .textArray(shared)]
        )
    }

    /// The latest hold among `buckets` still in force.
    func latestHold(_ buckets: [String]) throws -> Timestamp? {
        guard !buckets.isEmpty else { return nil }
        return try connection.execute(
            "SELECT max(until) FROM switchboard.rate_holds WHERE bucket = ANY($1) AND until > $2",
            [.textArray(buckets), nowValue]
        ).first { $0.optionalInt64(0) }.flatMap { $0 }.map(Timestamp.init(millisecondsSince1970:))
    }

    // MARK: Dead letters and retention

    /// Puts dead letters back to run; returns how many still were dead letters. A job of an ordering
    /// group waits behind the group's live jobs, if it has any. A job cancelled while it ran waits until
    /// its cancelled attempt's lease has run out, unless that attempt's worker has confirmed its stop
    /// (`confirmStopped`, which then makes it ready): two attempts never overlap.
    func redrive(deadLetters ids: [Int64]) throws -> Int {
        let found = try connection.execute(
            """
            SELECT id, group_key, lease_expires_at FROM switchboard.jobs WHERE id = ANY($1) AND state = 'dead'
            ORDER BY id FOR UPDATE
            """,
            [.int8Array(ids)]
        ).rows { ($0.int64(0), $0.optionalText(1), $0.optionalInt64(2)) }
        guard !found.isEmpty else { return 0 }
        var live = try lockGroups(Set(found.compactMap(\.1)))
        var states: [String] = []
        var runAts: [Int64] = []
        for (_, group, leaseEnd) in found {
            let runAt = max(now.millisecondsSince1970, leaseEnd ?? 0)
            let blocked = group.map(live.contains) ?? false
            let state: JobState = blocked ? .blocked : runAt > now.millisecondsSince1970 ? .scheduled : .ready
            states.append(state.rawValue)
            runAts.append(runAt)
            if let group { live.insert(group) }
        }
        try connection.execute(
            """
            UPDATE switchboard.jobs SET state = redriven.state, attempts = 0, run_at = redriven.run_at, dead_reason = NULL,
                            finished_at = NULL, updated_at = $4
            FROM unnest($1::int8[], $2::text[], $3::int8[]) AS redriven(id, state, run_at)
            WHERE jobs.id = redriven.id
            """,
            [.int8Array(found.map(\.0)), .textArray(states), .int8Array(runAts), nowValue]
        )
        return found.count
    }

    /// Deletes at most `limit` completed jobs whose retention window has passed.
    @discardableResult
    func pruneCompleted(limit: Int) throws -> Int {
        guard let retention = rules.completedRetention else { return 0 }
        return try connection.execute(
            """
            DELETE FROM switchboard.jobs WHERE id IN (
                SELECT id FROM switchboard.jobs WHERE state = 'completed' AND finished_at <= $1 ORDER BY finished_at LIMIT $2
                FOR UPDATE SKIP LOCKED)
            """,
            [.int8((now - retention).millisecondsSince1970), .integer(limit)]
        ).affectedRows
    }
}
