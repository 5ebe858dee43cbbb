import CSystem
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ChildTermination: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)
    /// It never started; the `errno` of the failed spawn.
    case spawnFailed(Int32)
}

/// The end of a child process: how it ended and the last bytes it wrote to stderr.
public struct ChildResult: Sendable {
    public var termination: ChildTermination
    public var stderrTail: String
}

/// Runs `/bin/sh -c COMMAND` as a child process in its own process group.
///
/// Its stdin is fed from memory, its stdout is the worker's own, and the tail of its stderr is kept.
/// All waiting (writing stdin, reading stderr, `waitpid`) happens on a thread of the child's own, never
/// on Swift's cooperative pool. Cancelling the calling task terminates the whole process group: SIGTERM,
/// then SIGKILL if it is still running after `killGrace`.
public struct ShellCommand: Sendable {
    public var command: String
    /// The child's whole environment: nothing of the worker's is passed on that is not here.
    public var environment: [String: String]
    public var killGrace: Duration
    /// How many trailing bytes of stderr to keep.
    public var stderrTailLimit: Int

    public init(
        _ command: String, environment: [String: String] = [:], killGrace: Duration = .seconds(5),
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
        let child = SpawnedChild()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: self.runBlocking(input: input, child: child))
                }
                thread.start()
            }
        } onCancel: {
            child.terminate(killGrace: killGrace)
        }
    }

    /// A child exiting before it reads all of its stdin must not kill the worker with SIGPIPE: the
    /// write fails with EPIPE instead.
    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    private func runBlocking(input: Data, child: SpawnedChild) -> ChildResult {
        let stdin: FileDescriptorPair, stderr: FileDescriptorPair
        do {
            (stdin, stderr) = (try FileDescriptorPair(), try FileDescriptorPair())
        } catch {
            return ChildResult(termination: .spawnFailed(error.code.rawValue), stderrTail: "")
        }
        let spawned = spawn(stdin: stdin.read, stderr: stderr.write)
        stdin.closeRead()
        stderr.closeWrite()
        let pid: pid_t
        switch spawned {
        case .success(let started):
            pid = started
        case .failure(let error):
            return ChildResult(termination: .spawnFailed(error.code.rawValue), stderrTail: "")
        }
        child.started(pid)
        let tail = pump(input: input, to: stdin, from: stderr, pid: pid)
        let termination = child.waitForExit()
        return ChildResult(termination: termination, stderrTail: String(decoding: tail, as: UTF8.self))
    }

    /// Writes `input` to the child's stdin and reads its stderr until the child exits or closes stderr.
    ///
    /// Only the last `stderrTailLimit` bytes are kept; when that cuts the text, its first, partial word
    /// is dropped too, so no fragment of a credential (which has no spaces) survives the cut unmasked.
    private func pump(input: Data, to stdin: FileDescriptorPair, from stderr: FileDescriptorPair, pid: pid_t) -> Data {
        var tail = Data()
        var written = 0
        var stdinOpen = true
        if input.isEmpty {
            stdin.closeWrite()
            stdinOpen = false
        }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var cut = false
        while true {
            var fds = [pollfd(fd: stderr.read, events: Int16(POLLIN), revents: 0)]
            if stdinOpen {
                fds.append(pollfd(fd: stdin.write, events: Int16(POLLOUT), revents: 0))
            }
            // A grandchild may keep stderr open after the child itself exits: poll with a timeout and
            // stop once the child is gone and nothing more is readable.
            let ready = poll(&fds, nfds_t(fds.count), 50)
            if ready == 0 {
                if SpawnedChild.hasExited(pid) { break }
                continue
            }
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if stdinOpen, fds.count > 1, fds[1].revents != 0 {
                let count = input.withUnsafeBytes { bytes in
                    Glibc.write(stdin.write, bytes.baseAddress! + written, min(bytes.count - written, 65_536))
                }
                if count > 0 {
                    written += count
                }
                if count <= 0 && errno != EAGAIN && errno != EINTR || written == input.count {
                    stdin.closeWrite()
                    stdinOpen = false
                }
            }
            if fds[0].revents != 0 {
                let count = read(stderr.read, &buffer, buffer.count)
                if count <= 0 {
                    break
                }
                tail.append(contentsOf: buffer[0..<count])
                if tail.count > stderrTailLimit {
                    tail.removeFirst(tail.count - stderrTailLimit)
                    cut = true
                }
            }
        }
        stdin.closeWrite()
        if cut, let space = tail.firstIndex(where: { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
            tail.removeSubrange(..<space)
        } else if cut {
            tail.removeAll()
        }
        return tail
    }

    private func spawn(stdin: Int32, stderr: Int32) -> Result<pid_t, POSIXError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // A command gets stdin, stdout and stderr and nothing else: an inherited descriptor (a socket a
        // supervisor watches for the worker's exit, a pipe of another job) would outlive the worker.
        sb_spawn_close_from(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a terminal's Ctrl-C reaches only the worker, which decides what to
        // do with running commands, and so the worker can signal the command and its children together.
        posix_spawnattr_setpgroup(&attributes, 0)
        // The worker ignores SIGPIPE, SIGTERM and SIGINT; ignored signals survive exec, so restore them.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGPIPE, SIGTERM, SIGINT] {
            sigaddset(&defaults, number)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        guard code == 0 else {
            return .failure(POSIXError(POSIXErrorCode(rawValue: code) ?? .EINVAL))
        }
        return .success(pid)
    }
}

/// A pipe whose two ends are closed at most once each.
private final class FileDescriptorPair {
    let read: Int32
    let write: Int32
    private var readOpen = true
    private var writeOpen = true

    init() throws(POSIXError) {
        var fds: [Int32] = [0, 0]
        guard sb_pipe_cloexec(&fds) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        read = fds[0]
        write = fds[1]
    }

    func closeRead() {
        if readOpen {
            close(read)
            readOpen = false
        }
    }

    func closeWrite() {
        if writeOpen {
            close(write)
            writeOpen = false
        }
    }

    deinit {
        closeRead()
        closeWrite()
    }
}

/// The pid of a running child, shared between its waiting thread and whoever cancels it.
private final class SpawnedChild: Sendable {
    private struct State {
        var pid: pid_t?
        var exited = false
        var terminationRequested = false
    }

    private let state = Mutex(State())

    func started(_ pid: pid_t) {
        let terminate = state.withLock { state in
            state.pid = pid
            return state.terminationRequested
        }
        if terminate {
            kill(-pid, SIGTERM)
        }
    }

    /// Sends SIGTERM to the process group now (or as soon as it has started), SIGKILL after `killGrace`.
    func terminate(killGrace: Duration) {
        let pid = state.withLock { state in
            state.terminationRequested = true
            return state.exited ? nil : state.pid
        }
        guard let pid else { return }
        kill(-pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(killGrace.wholeNanoseconds))) {
            let stillRunning = self.state.withLock { !$0.exited }
            if stillRunning {
                kill(-pid, SIGKILL)
            }
        }
    }

    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        // WNOWAIT: look without reaping, so `waitForExit` still collects the status.
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == pid
    }

    /// Reaps the child (blocking) and reports how it ended.
    func waitForExit() -> ChildTermination {
        guard let pid = state.withLock({ $0.pid }) else { return .spawnFailed(0) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        state.withLock { $0.exited = true }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}
