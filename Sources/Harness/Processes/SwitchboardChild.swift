import Foundation
import Synchronization
import Workers

/// A `switchboard` process started as a child of this one (a benchmark's worker, the demo's workers,
/// the fake provider, a test's command), spoken to in lines over its stdin and stdout. It is a
/// `ChildProcess`, so it dies with this process however this one ends.
///
/// Its blocking pipe reads run on a dispatch queue, not on the cooperative pool.
package final class SwitchboardChild: @unchecked Sendable {
    // @unchecked Sendable: `buffer` is touched only inside blocks on the serial `queue`; `input` and
    // `errors` are behind mutexes; `child` is Sendable; `output` is set in `init` and only read and
    // closed through system calls, which are thread-safe.

    /// Where the child's stderr goes.
    package enum ErrorOutput: Sendable {
        /// This process's own stderr.
        case inherit
        case discard
        /// Kept, for `finish()` to return.
        case capture
    }

    /// What a child printed and how it ended.
    package struct Finished: Sendable {
        /// The exit status, 128 + the signal when a signal ended it.
        package let status: Int32
        package let stdout: String
        package let stderr: String
    }

    /// The executable of this process: a `switchboard` starting more of itself.
    package static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Writing to a child that has exited must fail with EPIPE, not end this process.
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    private let child: ChildProcess
    private let input: Mutex<Int32?>
    private let output: Int32
    private let errors = CapturedBytes()
    private let queue = DispatchQueue(label: "switchboard.child.output")
    private var buffer = Data()

    /// Starts `executable` (this one unless given) with `arguments`, in `directory` (this process's
    /// unless given).
    package init(
        executable: String? = nil, arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment, directory: String? = nil,
        errorOutput: ErrorOutput = .inherit
    ) throws {
        Self.ignoreBrokenPipes
        let stdin = try PipeDescriptors()
        let stdout = try PipeDescriptors()
        let stderr = errorOutput == .capture ? try PipeDescriptors() : nil
        let errorTarget: Int32? =
            switch errorOutput {
            case .inherit: nil
            case .discard: open("/dev/null", O_WRONLY | O_CLOEXEC)
            case .capture: stderr?.write
            }
        let errors = self.errors
        do {
            child = try ChildProcess.start(
                ChildProcess.Launch(
                    executable: executable ?? Self.currentExecutable, arguments: arguments, environment: environment,
                    standardInput: stdin.read, standardOutput: stdout.write, standardError: errorTarget,
                    directory: directory
                )
            ) { _ in
                // On the child's own thread, before it is reaped: its stderr, to the end, kept as it comes
                // (a test may wait for a line the child logs while it runs).
                guard let stderr else { return }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = read(stderr.read, &chunk, chunk.count)
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    errors.bytes.withLock { $0.append(contentsOf: chunk[..<count]) }
                }
                close(stderr.read)
            }
        } catch {
            [stdin.write, stdout.read, stderr?.read].compactMap { $0 }.forEach { close($0) }
            throw error
        }
        input = Mutex(stdin.write)
        output = stdout.read
    }

    deinit {
        closeInput()
        close(output)
    }

    package var pid: pid_t { child.pid }

    /// What a child started with `.capture` has written to stderr so far.
    package var errorOutputSoFar: String {
        String(decoding: errors.bytes.withLock { $0 }, as: UTF8.self)
    }

    /// The next line the child prints, or nil once its stdout closes.
    package func readLine() async -> String? {
        await killedIfCancelled {
            await self.onQueue {
                var chunk = [UInt8](repeating: 0, count: 65_536)
                while true {
                    if let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: self.buffer[..<newline], as: UTF8.self)
                        self.buffer.removeSubrange(...newline)
                        return line
                    }
                    let count = read(self.output, &chunk, chunk.count)
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { return nil }
                    self.buffer.append(contentsOf: chunk[..<count])
                }
            }
        }
    }

    /// Waits for a line, failing with a clear message if the child ends first.
    package func expectLine(_ what: String) async throws -> String {
        guard let line = await readLine() else {
            throw HarnessFailure("a child process exited before it reported \(what)")
        }
        return line
    }

    /// Writes `text` to the child's stdin; nothing once the child has stopped reading it.
    package func write(_ text: String) {
        input.withLock { descriptor in
            guard let descriptor else { return }
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                written += count
            }
        }
    }

    /// Writes one line.
    package func send(_ line: String) {
        write(line + "\n")
    }

    /// Closes the child's stdin: it reads the end of its input.
    package func closeInput() {
        input.withLock { descriptor in
            if let open = descriptor { close(open) }
            descriptor = nil
        }
    }

    package func signal(_ number: Int32) {
        child.signal(number)
    }

    /// Asks the child to stop (SIGTERM).
    package func terminate() {
        child.signal(SIGTERM)
    }

    /// The child's exit status (128 + the signal when a signal ended it).
    package func waitForExit() async -> Int32 {
        await killedIfCancelled { Self.status(await self.child.termination()) }
    }

    /// Runs `wait`, a wait on the child; a test cancelled meanwhile (its time limit passed) kills the
    /// child, so the wait ends instead of holding up the test run.
    private func killedIfCancelled<T: Sendable>(_ wait: @Sendable () async -> T) async -> T {
        await withTaskCancellationHandler {
            await wait()
        } onCancel: {
            child.signal(SIGKILL)
        }
    }

    /// The exit status, once the child has ended; nil while it runs.
    package var exitStatus: Int32? {
        child.ended.map(Self.status)
    }

    /// Closes its stdin, reads what is left of its stdout, and waits for it to end.
    package func finish() async -> Finished {
        closeInput()
        let rest = await killedIfCancelled {
            await self.onQueue {
                let rest = self.buffer + Self.readToEnd(self.output)
                self.buffer = Data()
                return rest
            }
        }
        let status = await waitForExit()
        return Finished(
            status: status, stdout: String(decoding: rest, as: UTF8.self),
            stderr: String(decoding: errors.bytes.withLock { $0 }, as: UTF8.self)
        )
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    private static func readToEnd(_ descriptor: Int32) -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return data }
            data.append(contentsOf: chunk[..<count])
        }
    }

    private static func status(_ termination: ChildTermination) -> Int32 {
        switch termination {
        case .exited(let status): status
        case .signalled(let number): 128 + number
        case .spawnFailed: 127
        }
    }
}

/// The bytes read from a child's stderr, filled on the child's thread.
private final class CapturedBytes: Sendable {
    let bytes = Mutex(Data())
}
