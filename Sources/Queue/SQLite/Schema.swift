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

    /// Rewrites a table's stored definition as SQLite documents it: with `writable_schema` on, and the
    /// schema version raised so every connection reads the new definition before its next statement.
    /// A definition that already reads as edited is left alone.
    /// - Throws: `QueueError.internal` when the definition holds neither the new text nor the old once.
    private func apply(_ edit: Migration.DefinitionEdit, _ connection: SQLiteConnection) throws {
        let definition = try connection.queryFirst(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1", [.text(edit.table)]
        ) { $0.text(0) }
        if let definition, definition.contains(edit.new) {
            return
        }
        guard let definition, definition.components(separatedBy: edit.old).count == 2 else {
            throw QueueError(
                .internal,
                "\(connection.path): the definition of table \(edit.table) is not the one this migration edits")
        }
        let schemaVersion = try connection.integer("PRAGMA schema_version") ?? 0
        try connection.executeScript("PRAGMA writable_schema=ON")
        try connection.execute(
            "UPDATE sqlite_schema SET sql = ?2 WHERE type = 'table' AND name = ?1",
            [.text(edit.table), .text(definition.replacingOccurrences(of: edit.old, with: edit.new))]
        )
        try connection.executeScript("PRAGMA schema_version=\(schemaVersion + 1); PRAGMA writable_schema=OFF")
    }

    /// Applies the migrations newer than the file's version; another process may have applied them first.
    private func migrate(_ connection: SQLiteConnection) throws {
        let version = try readHeader(connection).version
        for migration in migrations where migration.version > version {
            if let edit = migration.definitionEdit {
                try apply(edit, connection)
            }
            try connection.executeScript(migration.sql)
        }
        try connection.executeScript(
            "PRAGMA application_id=\(Self.applicationID); PRAGMA user_version=\(latestVersion);"
        )
    }
}
