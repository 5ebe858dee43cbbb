import Foundation

/// The scratch directory of one benchmark run: created under `base` (or the system's temporary
/// directory) and removed when the run ends.
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
}
