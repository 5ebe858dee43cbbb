import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The end of a child process: how it ended and the last bytes it wrote to stderr.
public struct ChildResult: Sendable {
    public var termination: ChildTermination
    public var stderrTail: String
}

/// Runs `/bin/sh -c COMMAND` as a `ChildProcess` in its own process group.
///
/// Its stdin is fed from memory, its stdout is the worker's own, and the tail of its stderr is kept.
/// Cancelling the calling task terminates the whole process group: SIGTERM, then SIGKILL if it is still
/// running after `killGrace`, and SIGKILL to what is left of the group as soon as the shell exits. The
/// command dies with the worker.
public struct ShellCommand: Sendable {
    public var command: String
    /// The child's whole environment: nothing of the worker's is passed on that is not here.
    public var environment: [String: String]
    public var killGrace: Duration
    /// How many trailing bytes of stderr to keep.
    public var stderrTailLimit: Int

    public init(
        _ command: String, environment: [String: String], killGrace: Duration = .seconds(5),
        stderrTailLimit: Int = 2_000
    ) {
        self.command = command
        self.environment = environment
        self.killGrace = killGrace
        self.stderrTailLimit = stderrTailLimit
    }

    /// Runs the command to its end, feeding it `input` on stdin.
    public func run(input: Data) async -> ChildResult {
        Self.ignoreBrokenPipes
        let stdin: PipeDescriptors
        let stderr: PipeDescriptors
        do {
            (stdin, stderr) = (try PipeDescriptors(), try PipeDescriptors())
        } catch {
            return ChildResult(termination: .spawnFailed(error.code.rawValue), stderrTail: "")
        }
        let tail = Mutex(Data())
        let child: ChildProcess
        do {
            child = try ChildProcess.start(
                ChildProcess.Launch(
                    executable: "/bin/sh", arguments: ["-c", command], environment: environment,
                    standardInput: stdin.read, standardError: stderr.write, newProcessGroup: true
                )
            ) { [stderrTailLimit] pid in
                let kept = Self.pump(
                    input: input, to: stdin.write, from: stderr.read, pid: pid, keeping: stderrTailLimit)
                tail.withLock { $0 = kept }
            }
        } catch {
            [stdin.write, stderr.read].forEach { close($0) }
            return ChildResult(termination: .spawnFailed(error.code.rawValue), stderrTail: "")
        }
        let termination = await withTaskCancellationHandler {
            await child.termination()
        } onCancel: {
            child.terminate(grace: killGrace)
        }
        return ChildResult(termination: termination, stderrTail: String(decoding: tail.withLock { $0 }, as: UTF8.self))
    }

    /// A child exiting before it reads all of its stdin must not kill the worker with SIGPIPE: the
    /// write fails with EPIPE instead.
    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Writes `input` to the child's stdin and reads its stderr until the child exits or closes stderr;
    /// closes both descriptors.
    ///
    /// Only the last `limit` bytes are kept; when that cuts the text, its first, partial word is dropped
    /// too, so no fragment of a credential (which has no spaces) survives the cut unmasked.
    private static func pump(input: Data, to stdin: Int32, from stderr: Int32, pid: pid_t, keeping limit: Int) -> Data {
        var stdinOpen = true
        func closeStdin() {
            if stdinOpen {
                close(stdin)
                stdinOpen = false
            }
        }
        defer {
            closeStdin()
            close(stderr)
        }
        if input.isEmpty {
            closeStdin()
        }
        var tail = Data()
        var written = 0
        var cut = false
        var childExited = false
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            var fds = [pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
            if stdinOpen {
                fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0))
            }
            // A grandchild may keep stderr open after the child itself exits: poll with a timeout and
            // stop once the child is gone and nothing more is readable. The child may write its last words
            // and exit after a poll found nothing: once it is seen gone, poll once more without waiting,
            // so what it wrote is read before the loop stops.
            let ready = poll(&fds, nfds_t(fds.count), childExited ? 0 : 50)
            if ready == 0 {
                if childExited { break }
                childExited = ChildProcess.hasExited(pid)
                continue
            }
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if stdinOpen, fds.count > 1, fds[1].revents != 0 {
                let count = input.withUnsafeBytes { bytes in
                    Glibc.write(stdin, bytes.baseAddress! + written, min(bytes.count - written, 65_536))
                }
                if count > 0 {
                    written += count
                }
                if count <= 0 && errno != EAGAIN && errno != EINTR || written == input.count {
                    closeStdin()
                }
            }
            if fds[0].revents != 0 {
                let count = read(stderr, &buffer, buffer.count)
                if count <= 0 {
                    break
                }
                tail.append(contentsOf: buffer[0..<count])
                if tail.count > limit {
                    tail.removeFirst(tail.count - limit)
                    cut = true
                }
            }
        }
        if cut {
            let space = tail.firstIndex { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }
            tail.removeSubrange(..<(space ?? tail.endIndex))
        }
        return tail
    }
}
