import Foundation

/// The versioned schema of a Switchboard database on PostgreSQL, in a schema (namespace) of its own,
/// `switchboard`, so its tables never meet an application's in the same database.
///
/// Migrations run under a transaction-level advisory lock, so processes starting together migrate once.
struct PostgresSchema: Sendable {
    /// The namespace every Switchboard table lives in; connections put it first on their search path.
    static let namespace = "switchboard"
    /// The advisory lock migrations hold: "SWBDMIGR".
    static let migrationLock: Int64 = 0x5357_4244_4D49_4752

    let migrations: [Migration]

    var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Checks the database is ours (or empty) at a version this build understands, and migrates it as
    /// `access` allows; read-only, it writes nothing and refuses a database that is missing or outdated.
    /// - Parameter settings: what the migrating transaction sets for itself (its lock timeout).
    func prepare(
        _ connection: PGConnection, access: StoreAccess, location: String, settings: PostgresTransactionSettings
    ) throws {
        if access == .readOnly {
            let version = try self.version(connection, location: location)
            guard let version else {
                throw QueueError(.databaseMissing, "\(location) holds no Switchboard database yet")
            }
            try checkNotNewer(version, location: location)
            guard version == latestVersion else {
                throw QueueError(
                    .schemaOutdated,
                    "\(location) has schema version \(version), older than this build's \(latestVersion); "
                        + "run `switchboard migrate` to upgrade it")
            }
            return
        }
        try connection.executeScript(settings.opening())
        do {
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int8(Self.migrationLock)])
            let found = try version(connection, location: location)
            if found == nil && access == .existing {
                throw QueueError(.databaseMissing, "\(location) holds no Switchboard database yet")
            }
            let version = found ?? 0
            try checkNotNewer(version, location: location)
            if found == nil {
                try connection.executeScript(
                    """
                    CREATE SCHEMA IF NOT EXISTS \(Self.namespace);
                    CREATE TABLE \(Self.namespace).schema_version (version integer NOT NULL);
                    INSERT INTO \(Self.namespace).schema_version VALUES (0);
                    """)
            }
            // A version with nothing to change on PostgreSQL has no SQL, which the server would refuse.
            for migration in migrations where migration.version > version && !migration.sql.isEmpty {
                try connection.executeScript(migration.sql)
            }
            if version < latestVersion {
                try connection.execute(
                    "UPDATE \(Self.namespace).schema_version SET version = $1", [.integer(latestVersion)])
            }
            try connection.execute("COMMIT")
        } catch {
            if connection.isHealthy {
                _ = try? connection.execute("ROLLBACK")
            }
            throw error
        }
    }

    /// The schema version, nil when there is no Switchboard schema; refuses a `switchboard` namespace
    /// holding tables that are not Switchboard's.
    private func version(_ connection: PGConnection, location: String) throws -> Int? {
        let hasVersionTable =
            try connection.execute(
                "SELECT to_regclass($1) IS NOT NULL", [.text("\(Self.namespace).schema_version")]
            ).first { $0.bool(0) } ?? false
        guard hasVersionTable else {
            let tables =
                try connection.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = $1", [.text(Self.namespace)]
                ).first { $0.int64(0) } ?? 0
            if tables > 0 {
                throw QueueError(
                    .foreignDatabase,
                    "\(location) has a \(Self.namespace) schema that is not Switchboard's; refusing to change it")
            }
            return nil
        }
        return try connection.execute("SELECT version FROM \(Self.namespace).schema_version").first {
            Int($0.int64(0))
        } ?? 0
    }

    private func checkNotNewer(_ version: Int, location: String) throws {
        if version > latestVersion {
            throw QueueError(
                .schemaTooNew,
                "\(location) has schema version \(version), newer than the \(latestVersion) this build supports; "
                    + "upgrade Switchboard to open it")
        }
    }
}
