import Foundation

/// The job queue on a PostgreSQL database, shared by any number of processes on any number of machines.
///
/// Each store holds a few connections for its statements (`PostgresDatabase`, `StoreOptions.postgresConnections`)
/// and one for `LISTEN` (`PostgresListener`, on `StoreOptions.postgresListenURL` when given): a statement that
/// leaves a job ready fires a trigger that notifies the channel when its transaction commits, which moves the
/// change counter idle workers poll. Where nothing is heard (a listen connection through a transaction-mode
/// pooler), the counter moves on a timer instead, and workers poll the queue. A cancel of a leased job
/// notifies a second channel, which moves the counter running workers poll for lost leases.
///
/// No statement sets anything on a connection: each transaction sets what it needs for itself
/// (`PostgresTransactionSettings`), so the store can share a transaction-mode pooler with other clients.
///
/// Leases, run-at times, expiries and schedules are judged by the server's clock (`now()`, read by each
/// transaction's BEGIN in the same round trip), so a machine whose clock runs ahead cannot take a live
/// lease and a delay means the same from every machine. What crosses to a caller is a length, not a time
/// (a rate hold, how long until the next job is due), so the caller's clock need not agree either.
package final class PostgresJobStorage: JobsWritingStorage {
    package let database: PostgresDatabase
    package let clock: any WallClock
    /// False only where a test moves time by hand: every time is then `clock`'s.
    let usesServerClock: Bool
    let rules: JobRules
    package let location: String
    private let listener: PostgresListener?

    /// The channel runnable work is announced on (by the trigger the schema installs).
    static let channel = "switchboard_jobs"
    /// The channel a cancel of a leased job is announced on, for the worker running it.
    static let cancelChannel = "switchboard_cancels"

    private init(
        database: PostgresDatabase, clock: any WallClock, usesServerClock: Bool, rules: JobRules, location: String,
        listener: PostgresListener?
    ) {
        self.database = database
        self.clock = clock
        self.usesServerClock = usesServerClock
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
                [
                    .postgresJobs, .postgresQueuePauses, .postgresWorkers, .postgresSchedules, .postgresCheckpoints,
                    .postgresWorkerWakeups, .postgresUnchangedStateCheck,
                ]
                    + options.schemaParts.flatMap(\.postgres)))
        let settings = PostgresTransactionSettings(
            lockTimeout: options.lockTimeout, asynchronousCommit: options.durability == .normal,
            readOnly: options.access == .readOnly)
        let access = options.access
        let database = try await PostgresDatabase.open(
            url: url, settings: settings, reconnectTimeout: options.lockTimeout, size: options.postgresConnections
        ) { connection in
            try schema.prepare(connection, access: access, location: location, settings: settings)
        }
        let listener =
            access == .readOnly
            ? nil
            : PostgresListener(
                listenURL: options.postgresListenURL ?? url, notifyURL: url,
                channels: PostgresListener.Channels(work: channel, cancels: cancelChannel))
        return PostgresJobStorage(
            database: database, clock: options.clock, usesServerClock: options.usesServerClock, rules: options.rules,
            location: location, listener: listener)
    }

    /// Runs `body` in one write transaction over the job tables, at one instant of the server's clock (read
    /// again if the transaction is tried again). The `count` job ids the transaction will take are drawn
    /// from the sequence in its BEGIN's round trip.
    package func writeJobs<T: Sendable>(
        reservingIDs count: Int, _ body: @escaping @Sendable (PostgresJobsTransaction) throws -> T
    ) async throws -> T {
        let clock = self.clock
        let usesServerClock = self.usesServerClock
        let rules = self.rules
        let reserving = count > 0 ? [PostgresJobsTransaction.reservingIDs(count)] : []
        return try await database.write(readingServerTime: usesServerClock, alsoSelecting: reserving) {
            connection, opened in
            try body(
                PostgresJobsTransaction(
                    connection: connection, now: Self.instant(opened.serverTime, clock),
                    sql: PostgresExecutor(
                        connection: connection, clock: clock, usesServerClock: usesServerClock, inTransaction: true),
                    rules: rules, reservedIDs: try opened.values.first.map(PostgresJobsTransaction.ids) ?? []))
        }
    }

    package func writeSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, Timestamp) throws -> T)
        async throws -> T
    {
        try await writeJobs(reservingIDs: 0) { transaction in try body(transaction.sql, transaction.now) }
    }

    package func readSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, SQLReadTime) throws -> T)
        async throws -> T
    {
        let clock = self.clock
        let usesServerClock = self.usesServerClock
        let time = SQLReadTime(value: usesServerClock ? .null : .integer(clock.now().millisecondsSince1970))
        return try await database.perform { connection in
            try body(
                PostgresExecutor(
                    connection: connection, clock: clock, usesServerClock: usesServerClock, inTransaction: false),
                time)
        }
    }

    /// Runs `body`, one statement, outside an explicit transaction (a statement sees one snapshot of its
    /// own): a read in one round trip instead of three. A statement that needs the time binds
    /// `StatementTime.parameter` through `PostgresClockSQL.parameter`.
    func query<T: Sendable>(_ body: @escaping @Sendable (PGConnection, StatementTime) throws -> T)
        async throws -> T
    {
        let time = statementTime
        return try await database.perform { connection in try body(connection, time) }
    }

    /// Runs `body` in a read-only snapshot, at the server's time read by its BEGIN.
    func read<T: Sendable>(_ body: @escaping @Sendable (PGConnection, Timestamp) throws -> T) async throws
        -> T
    {
        let clock = self.clock
        return try await database.read(readingServerTime: usesServerClock) { connection, serverTime in
            try body(connection, Self.instant(serverTime, clock))
        }
    }

    /// The time a single statement is judged at: the server's, or in a test the store's clock's reading.
    var statementTime: StatementTime {
        StatementTime(parameter: usesServerClock ? .null(.int8) : .int8(clock.now().millisecondsSince1970))
    }

    /// A transaction's instant: the server's time its BEGIN read, or (without the server's clock) `clock`'s.
    private static func instant(_ serverTime: Int64?, _ clock: any WallClock) -> Timestamp {
        serverTime.map(Timestamp.init(millisecondsSince1970:)) ?? clock.now()
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

    /// What the `LISTEN` connection heard: runnable work, and cancels of leased jobs (or, while it hears
    /// nothing, both move on a timer), and whether it hears; local, no round trip.
    package func changeCounters() async throws -> ChangeCounters {
        guard let listener else {
            return ChangeCounters(work: 0, leases: 0, wakeups: .polling(reason: "a read-only store does not listen"))
        }
        return ChangeCounters(work: listener.changeCounter, leases: listener.cancelCounter, wakeups: listener.wakeups)
    }

    package func lostLeases(_ leases: [Lease]) async throws -> [Lease] {
        let held = try await query { connection, _ in
            Set(
                try connection.execute(
                    """
                    SELECT id FROM switchboard.jobs
                    WHERE (id, lease_token) IN (SELECT * FROM unnest($1::int8[], $2::int8[])) AND state = 'leased'
                    """,
                    [.int8Array(leases.map(\.jobID)), .int8Array(leases.map(\.token))]
                ).rows { $0.int64(0) })
        }
        return leases.filter { !held.contains($0.jobID) }
    }
}
