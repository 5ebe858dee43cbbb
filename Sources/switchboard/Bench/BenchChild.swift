import Foundation

/// A `switchboard bench worker` process spawned by the benchmark, spoken to over its stdin and stdout.
///
/// Its blocking pipe reads run on a dispatch queue, not on the cooperative pool.
final class BenchChild: @unchecked Sendable {
    // @unchecked Sendable: `buffer` is touched only inside blocks on the serial `queue`; the Process
    // and Pipe objects are set up in `init` and afterwards only used through their thread-safe methods.
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let queue = DispatchQueue(label: "switchboard.bench.child")
    private var buffer = Data()

    /// Starts this same executable with `arguments`; its stderr is the benchmark's, unless `quiet`.
    init(arguments: [String], quiet: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = quiet ? FileHandle.nullDevice : FileHandle.standardError
        try process.run()
    }

    /// The next line the child prints, or nil once its stdout closes.
    func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            queue.async {
                while true {
                    if let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: self.buffer[..<newline], as: UTF8.self)
                        self.buffer.removeSubrange(...newline)
                        continuation.resume(returning: line)
                        return
                    }
                    let chunk = self.output.fileHandleForReading.availableData
                    if chunk.isEmpty {
                        continuation.resume(returning: nil)
                        return
                    }
                    self.buffer.append(chunk)
                }
            }
        }
    }

    /// Waits for a line, failing with a clear message if the child ends first.
    func expectLine(_ what: String) async throws -> String {
        guard let line = await readLine() else {
            throw CommandFailure(exitCode: .software, message: "benchmark worker exited before it reported \(what)")
        }
        return line
    }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Asks the child to stop (SIGTERM).
    func terminate() {
        if process.isRunning {
            process.terminate()
        }
    }

    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.process.waitUntilExit()
                continuation.resume(returning: self.process.terminationStatus)
            }
        }
    }
}
