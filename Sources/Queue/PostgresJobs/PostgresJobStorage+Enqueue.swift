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
            || !jobs.allSatisfy(\.needsNothingRead)
        guard !jobs.isEmpty, !needsReads else { return try await enqueueInTransaction(jobs, records: records) }
        // The server inserts VALUES rows in their order, each drawing its id as it goes: ascending ids are
        // the jobs' in order.
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
    /// every backend runs would have; returns the ids. A row of VALUES per job: the server plans it in
    /// about half the time of an `unnest` of arrays, which matters for a single job.
    private func insertComputingItsOwnValues(_ jobs: [NewJob]) -> PGStatement {
        let now = PostgresClockSQL.parameter(1)
        var parameters = [statementTime.parameter]
        var rows: [String] = []
        for job in jobs {
            // A delay is added to the instant the INSERT reads; a fixed time is taken as it is.
            var fixedRunAt: PGValue = .null(.int8)
            var delay: Int64 = 0
            switch job.runAt {
            case .now: break
            case .after(let duration): delay = duration.wholeMilliseconds
            case .at(let time): fixedRunAt = .int8(time.millisecondsSince1970)
            }
            let first = parameters.count + 1
            parameters += [
                .text(job.queue), .text(job.kind), .bytea(job.payload), .integer(job.priority), fixedRunAt,
                .int8(delay), .integer(job.maxAttempts ?? rules.defaultMaxAttempts),
                .optionalText(job.onDeadLetter?.queue), .optionalText(job.onDeadLetter?.kind),
            ]
            let p = (first..<parameters.count + 1).map { "$\($0)" }
            let runAt = "coalesce(\(p[4])::int8, \(now) + \(p[5]))"
            rows.append(
                "(nextval('switchboard.jobs_id_seq'), \(p[0]), \(p[1]), \(p[2]), \(p[3]), "
                    + "CASE WHEN \(runAt) <= \(now) THEN 'ready' ELSE 'scheduled' END, \(runAt), \(p[6]), \(p[7]), "
                    + "\(p[8]), \(now), \(now))")
        }
        return PGStatement(
            sql: """
                INSERT INTO switchboard.jobs (id, queue, kind, payload, priority, state, run_at, max_attempts,
                                              dead_letter_queue, dead_letter_kind, created_at, updated_at)
                VALUES \(rows.joined(separator: ", "))
                RETURNING id
                """,
            parameters: parameters)
    }
}
