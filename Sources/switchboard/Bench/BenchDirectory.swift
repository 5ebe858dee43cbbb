import Foundation
import Queue

/// The scratch directory of one benchmark run: created under `base` (or the system's temporary
/// directory) and removed when the run ends; and the database the run measures.
enum BenchDirectory {
    /// `--dir`: where a benchmark's files go.
    static let option = Option<String>.text(
        "dir", "DIR", "where the benchmark's files go (default: a new temporary directory)")

    static func withScratch<T>(under base: String?, _ body: (URL) async throws -> T) async throws -> T {
        let directory = URL(fileURLWithPath: base ?? NSTemporaryDirectory())
            .appendingPathComponent("switchboard-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    /// The database a benchmark measures: with `--db postgres://...`, that PostgreSQL database, which must
    /// hold no Switchboard schema yet; otherwise SQLite files of the run's own in `directory`.
    static func database(in directory: URL, context: CommandContext) async throws -> BenchmarkDatabase {
        guard case .postgres(let url) = context.global.database else { return .sqlite(directory: directory) }
        let database = BenchmarkDatabase.postgres(url: url)
        try await database.checkUnused()
        return database
    }
}
