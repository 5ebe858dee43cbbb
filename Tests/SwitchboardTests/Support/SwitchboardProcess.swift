import Foundation
import Harness
import Queue

/// The `switchboard` executable built beside the tests, run as a real child process, with
/// `SWITCHBOARD_DB` cleared so a test's database is always the one it names.
enum SwitchboardProcess {
    static let executable = Bundle.main.bundleURL.appendingPathComponent("switchboard").path

    /// Starts `switchboard ARGUMENTS` with `--db` set to `database` when given; its stderr is kept for
    /// `finish()`.
    static func start(
        _ arguments: [String], database: String? = nil, environment: [String: String] = [:],
        directory: URL? = nil
    ) throws -> SwitchboardChild {
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "SWITCHBOARD_DB")
        merged.merge(environment) { _, new in new }
        return try SwitchboardChild(
            executable: executable, arguments: arguments + (database.map { ["--db", $0] } ?? []),
            environment: merged, directory: directory?.path, errorOutput: .capture
        )
    }

    /// Runs a command to its end.
    static func run(
        _ arguments: [String], database: String? = nil, stdin: String = "",
        environment: [String: String] = [:], directory: URL? = nil
    ) async throws
        -> SwitchboardChild.Finished
    {
        let process = try start(arguments, database: database, environment: environment, directory: directory)
        process.write(stdin)
        return await process.finish()
    }
}

/// Waits for a condition that another process brings about, checking it every 20 ms, up to a limit.
func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            throw WaitTimeout(what: what)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct WaitTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting until \(what)" }
}
