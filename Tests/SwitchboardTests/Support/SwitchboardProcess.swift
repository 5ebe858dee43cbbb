import Foundation
import Queue

/// The `switchboard` executable built beside the tests, run as a real child process.
final class SwitchboardProcess: @unchecked Sendable {
    // @unchecked Sendable: the Process and Pipe objects are configured in `init` and afterwards only
    // used through their thread-safe methods; `output` is written on `queue` only.
    static let executable = Bundle.main.bundleURL.appendingPathComponent("switchboard")

    private let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()

    /// Starts `switchboard ARGUMENTS` with `--db` set to `database` when given.
    init(_ arguments: [String], database: String? = nil, environment: [String: String] = [:],
         directory: URL? = nil) throws {
        process.executableURL = Self.executable
        process.arguments = arguments + (database.map { ["--db", $0] } ?? [])
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "SWITCHBOARD_DB")
        merged.merge(environment) { _, new in new }
        process.environment = merged
        if let directory {
            process.currentDirectoryURL = directory
        }
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func write(_ text: String) {
        stdinPipe.fileHandleForWriting.write(Data(text.utf8))
    }

    func closeInput() {
        try? stdinPipe.fileHandleForWriting.close()
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Reads stdout until it holds at least one full line, and returns the lines read so far.
    func readStdoutLines() async -> [String] {
        await Self.offPool {
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let chunk = self.stdoutPipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    /// Waits for the process to end; returns its status and everything it printed.
    func finish() async -> (status: Int32, stdout: String, stderr: String) {
        closeInput()
        return await Self.offPool {
            // Read both pipes to their end before waiting, so a chatty child never blocks on a full pipe.
            let group = DispatchGroup()
            nonisolated(unsafe) var stderr = Data()
            group.enter()
            DispatchQueue.global().async {
                stderr = self.stderrPipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
            let stdout = self.stdoutPipe.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            self.process.waitUntilExit()
            let status = self.process.terminationReason == .uncaughtSignal
                ? 128 + self.process.terminationStatus : self.process.terminationStatus
            return (status, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
        }
    }

    /// Runs a command to its end.
    static func run(_ arguments: [String], database: String? = nil, stdin: String = "",
                    environment: [String: String] = [:], directory: URL? = nil) async throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = try SwitchboardProcess(arguments, database: database, environment: environment, directory: directory)
        process.write(stdin)
        return await process.finish()
    }

    private static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
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
