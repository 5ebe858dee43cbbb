import Foundation

/// The job queue on a PostgreSQL database, shared by any number of processes on any number of machines.
///
/// Each store holds a few connections for its statements (`PostgresDatabase`, `StoreOptions.postgresConnections`)
/// and one for `LISTEN` (`PostgresListener`): a statement that leaves a job ready fires a trigger that notifies
/// the channel when its transaction commits, which moves the change counter idle workers poll. Where `LISTEN` is unavailable (behind a transaction-mode
/// pooler), the counter moves on a timer instead, and workers poll the queue.
package final class PostgresJobStorage: JobsWritingStorage {
    package let database: PostgresDatabase
    package let clock: any WallClock
    let rules: JobRules
    package let location: String
    private let listener: PostgresListener?

    /// The channel runnable work is announced on (by the trigger the schema installs).
    static let channel = "switchboard_jobs"

    private init(
        database: PostgresDatabase, clock: any WallClock, rules: JobRules, location: String,
        listener: PostgresListener?
    ) {
        self.database = database
        self.clock = clock
        self.rules = rules
        self.location = location
        self.listener = listener
    }

    /// Connects to the database at `url`, checks and migrates its schema as `options.access` allows (with
    /// the job tables and `options.schemaParts`), and starts listening for runnable work.
    package static func open(url: String, options: StoreOptions) async throws -> PostgresJobStorage {
        let location = StoreLocation.postgres(url: url).description
        let schema = PostgresSchema(
            migrations: try Migration.sequence(
                [.postgresJobs, .postgresQueuePauses, .postgresWorkers, .postgresSchedules, .postgresCheckpoints]
                    + options.schemaParts.flatMap(\.postgres)))
        let lockMilliseconds = Int(options.lockTimeout.seconds * 1_000)
        var settings = [
            "SET application_name TO '\(PostgresListener.applicationName)'",
            "SET lock_timeout TO \(lockMilliseconds)",
        ]
        if options.durability == .normal {
            settings.append("SET synchronous_commit TO off")
        }
        if options.access == .readOnly {
            settings.append("SET default_transaction_read_only TO on")
        }
        let access = options.access
        let database = try await PostgresDatabase.open(
            url: url, settings: settings, reconnectTimeout: options.lockTimeout, size: options.postgresConnections
        ) { connection in
            try schema.prepare(connection, access: access, location: location)
        }
        let listener = access == .readOnly ? nil : PostgresListener(url: url, channel: channel)
        return PostgresJobStorage(
            database: database, clock: options.clock, rules: options.rules, location: location, listener: listener)
    }

    /// Runs `body` in one write transaction over the job tables, at one instant of the store's clock (read
    /// again if the transaction is tried again).
    package func writeJobs<T: Sendable>(_ body: @escaping @Sendable (PostgresJobsTransaction) throws -> T)
        async throws -> T
    {
        let clock = self.clock
        let rules = self.rules
        return try await database.write { connection in
            try body(PostgresJobsTransaction(connection: connection, now: clock.now(), rules: rules))
        }
    }

    /// Runs `body`, one statement, outside an explicit transaction (a statement sees one snapshot of its
    /// own): a read in one round trip instead of three.
    package func query<T: Sendable>(_ body: @escaping @Sendable (PGConnection, Timestamp) throws -> T) async throws
        -> T
    {
        let clock = self.clock
        return try await database.perform { connection in try body(connection, clock.now()) }
    }

    /// Runs `body` in a read-only snapshot, with the time read inside it.
    package func read<T: Sendable>(_ body: @escaping @Sendable (PGConnection, Timestamp) throws -> T) async throws
        -> T
    {
        let clock = self.clock
        return try await database.read { connection in try body(connection, clock.now()) }
    }

    package func releaseDedupeKey(_ key: String) async throws -> Bool {
        try await database.write { connection in
            try connection.execute("DELETE FROM switchboard.dedupe_keys WHERE key = $1", [.text(key)]).affectedRows == 1
        }
    }

    package func schemaVersion() async throws -> Int {
        try await database.perform { connection in
            Int(try connection.execute("SELECT version FROM switchboard.schema_version").first { $0.int64(0) } ?? 0)
        }
    }

    /// The server keeps a temporary table's pages in the database's tablespace, beside the job tables,
    /// and writes each new page to its file as the table grows: a table of `bytes` of uncompressed rows
    /// (one 7,000-byte row a page, `STORAGE PLAIN`), dropped at commit, needs that much new space there,
    /// and fails with 53100 (disk full) when the disk cannot give it.
    package func checkRoom(bytes: Int) async throws {
        let pages = max(1, bytes / 8_192)
        try await database.write { connection in
            try connection.execute("CREATE TEMPORARY TABLE switchboard_room (filler text) ON COMMIT DROP")
            try connection.execute("ALTER TABLE switchboard_room ALTER COLUMN filler SET STORAGE PLAIN")
            try connection.execute(
                "INSERT INTO switchboard_room SELECT repeat('x', 7000) FROM generate_series(1, $1)", [.integer(pages)])
        }
    }

    /// Moves when another process announces runnable work (or, without `LISTEN`, on a timer); local.
    package func changeCounter() async throws -> Int64 {
        listener?.changeCounter ?? 0
    }
}
