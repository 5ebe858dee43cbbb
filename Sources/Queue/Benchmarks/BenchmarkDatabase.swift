import Foundation

/// Where a benchmark keeps its jobs between phases: SQLite files of its own in a directory, or one
/// PostgreSQL database that held no Switchboard schema when the benchmark began. Emptying it between
/// phases deletes only what the benchmark made: its files, or the `switchboard` schema it created.
package enum BenchmarkDatabase: Sendable {
    case sqlite(directory: URL)
    case postgres(url: String)

    /// The database's name, for reports.
    package var name: String {
        switch self {
        case .sqlite: "SQLite"
        case .postgres: "PostgreSQL"
        }
    }

    /// The database software and its version, for reports: `SQLite 3.40.1` (the library linked in),
    /// `PostgreSQL 15.20` (the server's).
    package func engine() throws -> String {
        switch self {
        case .sqlite: return "SQLite \(Database.libraryVersion)"
        case .postgres(let url):
            // From version 10 on, the number is major * 10000 + minor.
            let version = try PGConnection(url: url).serverVersion
            return "PostgreSQL \(version / 10_000).\(version % 10_000)"
        }
    }

    /// Refuses a PostgreSQL database that already holds a Switchboard schema: a benchmark never empties
    /// a queue it did not make.
    package func checkUnused() async throws {
        guard case .postgres(let url) = self else { return }
        let connection = try PGConnection(url: url)
        let used =
            try connection.execute(
                "SELECT to_regnamespace($1) IS NOT NULL", [.text(PostgresSchema.namespace)]
            ).first { $0.bool(0) } ?? false
        guard !used else {
            throw QueueError(
                .invalidArgument,
                "\(StoreLocation.postgres(url: url)) already holds a Switchboard database; benchmarks only use a "
                    + "database without one, since they empty it between phases")
        }
    }

    /// The database of the phase `name`, as it is now.
    package func location(_ name: String) -> StoreLocation {
        switch self {
        case .sqlite(let directory): .sqlite(path: directory.appendingPathComponent(name).path)
        case .postgres(let url): .postgres(url: url)
        }
    }

    /// The database of the phase `name`, emptied.
    package func fresh(_ name: String) async throws -> StoreLocation {
        switch self {
        case .sqlite(let directory):
            let path = directory.appendingPathComponent(name).path
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        case .postgres(let url):
            try await Self.dropSchema(url)
        }
        return location(name)
    }

    /// Drops the schema the benchmark's stores created, when it is done.
    package func cleanUp() async throws {
        if case .postgres(let url) = self {
            try await Self.dropSchema(url)
        }
    }

    private static func dropSchema(_ url: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                continuation.resume(
                    with: Result {
                        try PGConnection(url: url).executeScript(
                            "DROP SCHEMA IF EXISTS \(PostgresSchema.namespace) CASCADE")
                    })
            }.start()
        }
    }
}
