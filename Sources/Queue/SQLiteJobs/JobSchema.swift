extension Migration {
    /// Version 1: jobs and the dedupe keys that point at them.
    ///
    /// Every index on `jobs` is partial, over one state, so each hot-path query reads only the rows it
    /// can act on: claims read `ready`, the scheduler reads `scheduled` by run-at, lease recovery reads
    /// `leased` by expiry. A job is in exactly one of them, so moving it costs two small index writes.
    static let jobs = Migration(
        version: 1,
        sql: """
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                queue TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload BLOB NOT NULL,
                priority INTEGER NOT NULL,
                state TEXT NOT NULL
                    CHECK (state IN ('scheduled', 'ready', 'leased', 'blocked', 'completed', 'dead')),
                run_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                max_attempts INTEGER NOT NULL,
                lease_token INTEGER NOT NULL DEFAULT 0,
                lease_expires_at INTEGER,
                worker_id TEXT,
                group_key TEXT,
                dedupe_key TEXT,
                last_error TEXT,
                error_history TEXT,
                dead_reason TEXT,
                dead_letter_queue TEXT,
                dead_letter_kind TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                finished_at INTEGER
            );
            CREATE INDEX jobs_ready ON jobs (queue, priority DESC, id) WHERE state = 'ready';
            CREATE INDEX jobs_scheduled ON jobs (run_at) WHERE state = 'scheduled';
            CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE state = 'leased';
            CREATE INDEX jobs_group ON jobs (group_key, state, id) WHERE group_key IS NOT NULL;
            CREATE INDEX jobs_completed ON jobs (finished_at) WHERE state = 'completed';
            CREATE INDEX jobs_dead ON jobs (finished_at) WHERE state = 'dead';
            CREATE TABLE dedupe_keys (
                key TEXT PRIMARY KEY,
                job_id INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX dedupe_keys_expiry ON dedupe_keys (expires_at);
            CREATE TABLE rate_holds (
                bucket TEXT PRIMARY KEY,
                until INTEGER NOT NULL
            ) WITHOUT ROWID;
            """
    )

    /// Version 4: paused queues, whose jobs no worker claims until the queue is resumed.
    static let queuePauses = Migration(
        version: 4,
        sql: """
            CREATE TABLE paused_queues (
                queue TEXT PRIMARY KEY,
                paused_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """
    )

    /// Version 5: the workers, each refreshing its row with the exchanges it commits anyway.
    static let workers = Migration(
        version: 5,
        sql: """
            CREATE TABLE workers (
                id TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                version TEXT NOT NULL,
                queues TEXT NOT NULL,
                concurrency INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                refresh_ms INTEGER NOT NULL,
                seen_at INTEGER NOT NULL,
                in_flight INTEGER NOT NULL,
                stopped INTEGER NOT NULL,
                tally TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX workers_seen ON workers (seen_at);
            """
    )

    /// Version 6: recurring schedules, fired by the workers as they claim.
    static let schedules = Migration(
        version: 6,
        sql: """
            CREATE TABLE schedules (
                name TEXT PRIMARY KEY,
                cron TEXT NOT NULL,
                timezone TEXT NOT NULL,
                queue TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload BLOB NOT NULL,
                next_run_at INTEGER,
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX schedules_due ON schedules (next_run_at) WHERE next_run_at IS NOT NULL;
            """
    )

    /// Version 7: a job's checkpoint, the progress an attempt saved for the next.
    static let checkpoints = Migration(
        version: 7,
        sql: "ALTER TABLE jobs ADD COLUMN checkpoint BLOB;"
    )

    /// Version 8: how each worker learns of new work (`Wakeups`).
    static let workerWakeups = Migration(
        version: 8,
        sql: "ALTER TABLE workers ADD COLUMN wakeups TEXT NOT NULL DEFAULT '';"
    )

    /// Version 9: the jobs' state check as comparisons. SQLite evaluates `state IN (six values)` by
    /// building a temporary b-tree of the values for every statement that writes a state (each enqueue's
    /// `INSERT`, each settlement's `UPDATE`); the same check as `=` terms joined by `OR` costs none. Every
    /// stored row passes both, so the definition is edited in place rather than the table copied.
    static let jobsStateCheck = Migration(
        version: 9,
        editing: "jobs",
        replacing: "CHECK (state IN ('scheduled', 'ready', 'leased', 'blocked', 'completed', 'dead'))",
        with: "CHECK (state = 'scheduled' OR state = 'ready' OR state = 'leased' OR state = 'blocked' "
            + "OR state = 'completed' OR state = 'dead')"
    )
}
