import Foundation
import Workers

/// A `switchboard` subcommand run as a child of this process (a benchmark's worker, the demo's
/// workers, the fake provider), spoken to in lines over its stdin and stdout. It is a `ChildProcess`,
/// so it dies with this process however this one ends.
///
/// Its blocking pipe reads run on a dispatch queue, not on the cooperative pool.
final class SwitchboardChild: @unchecked Sendable {
    // @unchecked Sendable: `buffer` is touched only inside blocks on the serial `queue`; `child` is
    // Sendable, and the two descriptors are set in `init` and only read, written and closed through
    // system calls, which are thread-safe.
    private let child: ChildProcess
    private let input: Int32
    private let output: Int32
    private let queue = DispatchQueue(label: "switchboard.child.output")
    private var buffer = Data()

    /// Starts this same executable with `arguments`; its stderr is this process's own, unless `quiet`.
    init(arguments: [String], quiet: Bool = false) throws {
        let stdin = try PipeDescriptors()
        let stdout = try PipeDescriptors()
        let null = quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1
        do {
            child = try ChildProcess.start(
                ChildProcess.Launch(
                    executable: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
                    arguments: arguments, environment: ProcessInfo.processInfo.environment,
                    standardInput: stdin.read, standardOutput: stdout.write, standardError: quiet ? null : nil
                )
            )
        } catch {
            [stdin.write, stdout.read].forEach { close($0) }
            throw error
        }
        input = stdin.write
        output = stdout.read
    }

    deinit {
        close(input)
        close(output)
    }

    /// The next line the child prints, or nil once its stdout closes.
    func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            queue.async {
                var chunk = [UInt8](repeating: 0, count: 65_536)
                while true {
                    if let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: self.buffer[..<newline], as: UTF8.self)
                        self.buffer.removeSubrange(...newline)
                        continuation.resume(returning: line)
                        return
                    }
                    let count = read(self.output, &chunk, chunk.count)
                    if count < 0 && errno == EINTR {
                        continue
                    }
                    if count <= 0 {
                        continuation.resume(returning: nil)
                        return
                    }
                    self.buffer.append(contentsOf: chunk[..<count])
                }
            }
        }
    }

    /// Waits for a line, failing with a clear message if the child ends first.
    func expectLine(_ what: String) async throws -> String {
        guard let line = await readLine() else {
            throw CommandFailure(exitCode: .software, message: "a child process exited before it reported \(what)")
        }
        return line
    }

    func send(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            written += count
        }
    }

    /// Asks the child to stop (SIGTERM).
    func terminate() {
        child.signal(SIGTERM)
    }

    /// The child's exit status (128 + the signal when a signal ended it).
    func waitForExit() async -> Int32 {
        Self.status(await child.termination())
    }

    /// The exit status, once the child has ended; nil while it runs.
    var exitStatus: Int32? {
        child.ended.map(Self.status)
    }

    private static func status(_ termination: ChildTermination) -> Int32 {
        switch termination {
        case .exited(let status): status
        case .signalled(let number): 128 + number
        case .spawnFailed: 127
        }
    }
}
