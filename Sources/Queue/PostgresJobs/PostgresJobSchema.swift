extension Migration {
    /// Version 1 on PostgreSQL: jobs and the dedupe keys that point at them, as on SQLite (times are
    /// milliseconds since 1970 from the store's clock), in the `switchboard` namespace.
    ///
    /// Every index on `jobs` is partial over one state, so each hot-path query reads only the rows it can
    /// act on; claims take them with `FOR UPDATE SKIP LOCKED`, so workers never wait for each other. A
    /// statement that leaves a job ready (an enqueue, a promotion, a retry, a redrive) announces it on the
    /// `switchboard_jobs` channel, delivered when its transaction commits, whatever wrote it.
    static let postgresJobs = Migration(
        version: 1,
        sql: """
            CREATE TABLE switchboard.jobs (
                id bigserial PRIMARY KEY,
                queue text NOT NULL,
                kind text NOT NULL,
                payload bytea NOT NULL,
                priority bigint NOT NULL,
                state text NOT NULL
                    CHECK (state IN ('scheduled', 'ready', 'leased', 'blocked', 'completed', 'dead')),
                run_at bigint NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                max_attempts integer NOT NULL,
                lease_token bigint NOT NULL DEFAULT 0,
                lease_expires_at bigint,
                worker_id text,
                group_key text,
                dedupe_key text,
                last_error text,
                error_history text,
                dead_reason text,
                dead_letter_queue text,
                dead_letter_kind text,
                created_at bigint NOT NULL,
                updated_at bigint NOT NULL,
                finished_at bigint
            );
            CREATE INDEX jobs_ready ON switchboard.jobs (queue, priority DESC, id) WHERE state = 'ready';
            CREATE INDEX jobs_scheduled ON switchboard.jobs (run_at) WHERE state = 'scheduled';
            CREATE INDEX jobs_leased ON switchboard.jobs (lease_expires_at) WHERE state = 'leased';
            CREATE INDEX jobs_group ON switchboard.jobs (group_key, state, id) WHERE group_key IS NOT NULL;
            CREATE INDEX jobs_completed ON switchboard.jobs (finished_at) WHERE state = 'completed';
            CREATE INDEX jobs_dead ON switchboard.jobs (finished_at) WHERE state = 'dead';
            CREATE TABLE switchboard.dedupe_keys (
                key text PRIMARY KEY,
                job_id bigint NOT NULL,
                expires_at bigint NOT NULL
            );
            CREATE INDEX dedupe_keys_expiry ON switchboard.dedupe_keys (expires_at);
            CREATE TABLE switchboard.rate_holds (
                bucket text PRIMARY KEY,
                until bigint NOT NULL
            );
            CREATE FUNCTION switchboard.announce_ready_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM changed WHERE state = 'ready') THEN
                    PERFORM pg_notify('switchboard_jobs', '');
                END IF;
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER jobs_announce_inserted AFTER INSERT ON switchboard.jobs
                REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION switchboard.announce_ready_jobs();
            CREATE TRIGGER jobs_announce_updated AFTER UPDATE ON switchboard.jobs
                REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION switchboard.announce_ready_jobs();
            """
    )

    /// Version 4 on PostgreSQL: paused queues.
    static let postgresQueuePauses = Migration(
        version: 4,
        sql: """
            CREATE TABLE switchboard.paused_queues (
                queue text PRIMARY KEY,
                paused_at bigint NOT NULL
            );
            """
    )

    /// Version 5 on PostgreSQL: the workers.
    static let postgresWorkers = Migration(
        version: 5,
        sql: """
            CREATE TABLE switchboard.workers (
                id text PRIMARY KEY,
                host text NOT NULL,
                pid bigint NOT NULL,
                version text NOT NULL,
                queues text NOT NULL,
                concurrency bigint NOT NULL,
                started_at bigint NOT NULL,
                refresh_ms bigint NOT NULL,
                seen_at bigint NOT NULL,
                in_flight bigint NOT NULL,
                stopped bigint NOT NULL,
                tally text NOT NULL
            );
            CREATE INDEX workers_seen ON switchboard.workers (seen_at);
            """
    )

    /// Version 6 on PostgreSQL: recurring schedules.
    static let postgresSchedules = Migration(
        version: 6,
        sql: """
            CREATE TABLE switchboard.schedules (
                name text PRIMARY KEY,
                cron text NOT NULL,
                timezone text NOT NULL,
                queue text NOT NULL,
                kind text NOT NULL,
                payload bytea NOT NULL,
                next_run_at bigint,
                created_at bigint NOT NULL
            );
            CREATE INDEX schedules_due ON switchboard.schedules (next_run_at) WHERE next_run_at IS NOT NULL;
            """
    )

    /// Version 7 on PostgreSQL: a job's checkpoint.
    static let postgresCheckpoints = Migration(
        version: 7,
        sql: "ALTER TABLE switchboard.jobs ADD COLUMN checkpoint bytea;"
    )

    /// Version 8 on PostgreSQL: how each worker learns of new work (`Wakeups`).
    static let postgresWorkerWakeups = Migration(
        version: 8,
        sql: "ALTER TABLE switchboard.workers ADD COLUMN wakeups text NOT NULL DEFAULT '';"
    )

    /// Version 9 on PostgreSQL: nothing to change. SQLite's version 9 rewrote its jobs' state check for a
    /// cost PostgreSQL does not have; the number is taken here too, so that a later version adds the same
    /// tables on both backends under one number.
    static let postgresUnchangedStateCheck = Migration(version: 9, sql: "")
}
