import Foundation

/// The job queue on a SQLite file: one connection on a thread of its own (`Database`); any number of
/// processes may open the same file.
package final class SQLiteJobStorage: JobsWritingStorage {
    package let database: Database
    package let clock: any WallClock
    let rules: JobRules
    package let location: String

    private init(database: Database, clock: any WallClock, rules: JobRules, location: String) {
        self.database = database
        self.clock = clock
        self.rules = rules
        self.location = location
    }

    /// Opens the file at `path`, as `options.access` allows, with the job tables and `options.schemaParts`.
    package static func open(path: String, options: StoreOptions) async throws -> SQLiteJobStorage {
        let mode: SQLiteConnection.OpenMode =
            switch options.access {
            case .create: .createIfMissing
            case .existing: .mustExist
            case .readOnly: .readOnly
            }
        let database = try await Database.open(
            path: path,
            mode: mode,
            durability: options.durability,
            lockTimeout: options.lockTimeout,
            schema: Schema(
                migrations: try Migration.sequence(
                    [.jobs, .queuePauses, .workers, .schedules, .checkpoints, .workerWakeups, .jobsStateCheck]
                        + options.schemaParts.flatMap(\.sqlite)))
        )
        return SQLiteJobStorage(database: database, clock: options.clock, rules: options.rules, location: path)
    }

    /// Runs `body` in one write transaction over the job tables, at one instant of the store's clock. SQLite
    /// numbers rows as they are inserted: nothing is reserved.
    package func writeJobs<T: Sendable>(
        reservingIDs _: Int, _ body: @escaping @Sendable (JobsTransaction) throws -> T
    ) async throws -> T {
        let clock = self.clock
        let rules = self.rules
        return try await database.write { connection in
            try body(JobsTransaction(connection: connection, clock: clock, rules: rules))
        }
    }

    package func writeSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, Timestamp) throws -> T)
        async throws -> T
    {
        let clock = self.clock
        return try await database.write { connection in
            try body(SQLiteExecutor(connection: connection, clock: clock), clock.now())
        }
    }

    package func readSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, SQLReadTime) throws -> T)
        async throws -> T
    {
        let clock = self.clock
        return try await database.read { connection in
            try body(
                SQLiteExecutor(connection: connection, clock: clock),
                SQLReadTime(value: .integer(clock.now().millisecondsSince1970)))
        }
    }

    /// Runs `body` in a read transaction, with the time read inside it.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection, Timestamp) throws -> T) async throws
        -> T
    {
        let clock = self.clock
        return try await database.read { connection in try body(connection, clock.now()) }
    }

    package func releaseDedupeKey(_ key: String) async throws -> Bool {
        try await database.write { connection in
            try connection.execute("DELETE FROM dedupe_keys WHERE key = ?1", [.text(key)]) == 1
        }
    }

    package func schemaVersion() async throws -> Int {
        try await database.perform { connection in
            Int(try connection.integer("PRAGMA user_version") ?? 0)
        }
    }

    /// The space is taken in the database file's directory, where SQLite grows the WAL and the file.
    package func checkRoom(bytes: Int) async throws {
        let directory = (location as NSString).deletingLastPathComponent
        try await database.perform { _ in try FreeSpace.check(bytes, in: directory.isEmpty ? "." : directory) }
    }

    /// SQLite's `data_version`, for both counters: it changes whenever another connection commits. Cheap
    /// to read (no lock, no I/O beyond shared memory), so an idle worker polls it instead of taking the
    /// write lock, and a running one before it asks whether its leases still stand.
    package func changeCounters() async throws -> ChangeCounters {
        let version = try await database.perform { connection in
            try connection.queryFirst("PRAGMA data_version") { $0.int64(0) } ?? 0
        }
        return ChangeCounters(work: version, leases: version)
    }

    package func lostLeases(_ leases: [Lease]) async throws -> [Lease] {
        try await read { connection, _ in
            try leases.filter { lease in
                try connection.queryFirst(
                    "SELECT 1 FROM jobs WHERE id = ?1 AND lease_token = ?2 AND state = 'leased'",
                    [.integer(lease.jobID), .integer(lease.token)]
                ) { _ in true } == nil
            }
        }
    }
}
