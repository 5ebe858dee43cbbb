/// The versioned schema of a Switchboard database, and the checks every connection runs on open.
struct Schema: Sendable {
    /// Written to the file header's application id, so a foreign SQLite file is never migrated.
    static let applicationID: Int64 = 0x5357_4244 // "SWBD"

    let migrations: [Migration]

    var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Checks the file, sets the connection's pragmas and brings the schema up to date.
    ///
    /// Nothing is written until the file is known to be an empty database or one of ours at a version
    /// this build understands; with `readOnly`, nothing is written at all, and a database that is empty
    /// or needs migrating is refused.
    func prepare(_ connection: SQLiteConnection, durability: Durability, readOnly: Bool = false) throws {
        let (applicationID, version) = try Database.retryingContention { try readHeader(connection) }
        if applicationID != Self.applicationID {
            let tableCount = try connection.queryFirst("SELECT count(*) FROM sqlite_schema") { $0.int64(0) } ?? 0
            if applicationID != 0 || tableCount > 0 {
                throw QueueError(
                    .foreignDatabase,
                    "\(connection.path) is a SQLite database but not a Switchboard one; refusing to change it"
                )
            }
        }
        if version > latestVersion {
            throw QueueError(
                .schemaTooNew,
                "\(connection.path) has schema version \(version), newer than the \(latestVersion) this build "
                    + "supports; upgrade Switchboard to open it"
            )
        }
        if readOnly {
            guard version > 0 else {
                throw QueueError(.databaseMissing, "\(connection.path) holds no Switchboard database yet")
            }
            guard version == latestVersion else {
                throw QueueError(
                    .schemaOutdated,
                    "\(connection.path) has schema version \(version), older than this build's \(latestVersion); "
                        + "run `switchboard migrate` to upgrade it"
                )
            }
            return
        }
        try Database.retryingContention {
            let mode = try connection.queryFirst("PRAGMA journal_mode=WAL") { $0.text(0) } ?? ""
            guard mode.lowercased() == "wal" else {
                throw StorageError(
                    operation: "PRAGMA journal_mode=WAL", path: connection.path,
                    reason: "the database stayed in \(mode) mode (a file system without shared memory?)"
                )
            }
        }
        try connection.executeScript(
            """
            PRAGMA foreign_keys=ON;
            PRAGMA synchronous=\(durability.synchronousPragma);
            PRAGMA temp_store=MEMORY;
            PRAGMA cache_size=-16000;
            """
        )
        if version < latestVersion {
            try Database.retryingContention {
                try connection.writeTransaction { try migrate(connection) }
            }
        }
    }

    private func readHeader(_ connection: SQLiteConnection) throws -> (applicationID: Int64, version: Int) {
        let applicationID = try connection.queryFirst("PRAGMA application_id") { $0.int64(0) } ?? 0
        let version = try connection.queryFirst("PRAGMA user_version") { Int($0.int64(0)) } ?? 0
        return (applicationID, version)
    }

    /// Applies the migrations newer than the file's version; another process may have applied them first.
    private func migrate(_ connection: SQLiteConnection) throws {
        let version = try readHeader(connection).version
        for migration in migrations where migration.version > version {
            try connection.executeScript(migration.sql)
        }
        try connection.executeScript(
            "PRAGMA application_id=\(Self.applicationID); PRAGMA user_version=\(latestVersion);"
        )
    }
}
