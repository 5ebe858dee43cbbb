import Foundation

extension PostgresJobStorage {
    /// The most jobs an enqueue sends in one round trip: their ids come back as rows of the pipeline,
    /// which must stay far below what a socket's buffers hold (see `PGConnection.executeInOneRoundTrip`).
    static let oneRoundTripLimit = 256

    /// Enqueues `jobs` and writes `records` in one transaction. Jobs that need nothing read before they
    /// are written (no dedupe key, no ordering group, no attachment, no record beside them, at most
    /// `oneRoundTripLimit`) go in one round trip: their ids, states and times are worked out by the
    /// INSERT itself. Any other enqueue takes the transaction every backend runs.
    package func enqueue(_ jobs: [NewJob], records: [any TransactionRecord]) async throws -> [EnqueueResult] {
        let needsReads =
            !records.isEmpty || jobs.count > Self.oneRoundTripLimit
            || jobs.contains { $0.dedupe != nil || $0.groupKey != nil || !$0.attachments.isEmpty }
        guard !jobs.isEmpty, !needsReads else { return try await enqueueInTransaction(jobs, records: records) }
        let ids = try await database.writeInOneRoundTrip([insertComputingItsOwnValues(jobs)]) { results in
            results[0].rows { $0.int64(0) }.sorted()
        }
        guard ids.count == jobs.count else {
            throw QueueError(.internal, "PostgreSQL wrote \(ids.count) of \(jobs.count) jobs")
        }
        return ids.map { EnqueueResult(jobID: $0, status: .enqueued) }
    }

    /// One INSERT of `jobs`, in order, that draws their ids from the sequence and sets each one's run-at
    /// and state (`ready` when due, else `scheduled`) from the transaction's instant, as the transaction
    /// every backend runs would have; returns the ids.
    private func insertComputingItsOwnValues(_ jobs: [NewJob]) -> PGStatement {
        // A delay is added to the instant the INSERT reads; a fixed time is taken as it is.
        let fixedRunAts = jobs.map { job -> Int64? in
            guard case .at(let time) = job.runAt else { return nil }
            return time.millisecondsSince1970
        }
        let delays = jobs.map { job -> Int64 in
            guard case .after(let delay) = job.runAt else { return 0 }
            return delay.wholeMilliseconds
        }
        return PGStatement(
            sql: """
                INSERT INTO switchboard.jobs (id, queue, kind, payload, priority, state, run_at, max_attempts,
                                              dead_letter_queue, dead_letter_kind, created_at, updated_at)
                SELECT nextval('switchboard.jobs_id_seq'), t.queue, t.kind, t.payload, t.priority,
                       CASE WHEN t.run_at <= clock.now THEN 'ready' ELSE 'scheduled' END, t.run_at,
                       t.max_attempts, t.dead_letter_queue, t.dead_letter_kind, clock.now, clock.now
                FROM (SELECT \(PostgresClockSQL.parameter(1)) AS now) AS clock,
                     LATERAL (
                         SELECT u.queue, u.kind, u.payload, u.priority, coalesce(u.fixed_run_at, clock.now + u.delay) AS run_at,
                                u.max_attempts, u.dead_letter_queue, u.dead_letter_kind, u.position
                         FROM unnest($2::text[], $3::text[], $4::bytea[], $5::int8[], $6::int8[], $7::int8[], $8::int8[],
                                     $9::text[], $10::text[]) WITH ORDINALITY
                             AS u(queue, kind, payload, priority, fixed_run_at, delay, max_attempts, dead_letter_queue,
                                  dead_letter_kind, position)
                     ) AS t
                ORDER BY t.position
                RETURNING id
                """,
            parameters: [
                statementTime.parameter,
                .textArray(jobs.map(\.queue)), .textArray(jobs.map(\.kind)), .byteaArray(jobs.map(\.payload)),
                .int8Array(jobs.map { Int64($0.priority) }), .int8Array(fixedRunAts), .int8Array(delays),
                .int8Array(jobs.map { Int64($0.maxAttempts ?? rules.defaultMaxAttempts) }),
                .textArray(jobs.map(\.onDeadLetter?.queue)), .textArray(jobs.map(\.onDeadLetter?.kind)),
            ])
    }
}
