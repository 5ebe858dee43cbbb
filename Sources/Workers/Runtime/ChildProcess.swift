import CSystem
import Foundation
import Synchronization

/// How a child process ended.
public enum ChildTermination: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)
    /// It never started; the `errno` of the failed spawn.
    case spawnFailed(Int32)
}
/// A child process that dies with this one: every process Switchboard starts (`--exec` commands, the
/// demo's and the benchmarks' workers, the fake provider) is one.
///
/// A thread of its own forks it and reaps it, and lives exactly as long as the child: the kernel ties
/// `PR_SET_PDEATHSIG` to the thread that forked, so the child gets SIGKILL when this process ends,
/// however it ends, `kill -9` included. The blocking work (`fork`, waiting, and whatever `attend` does
/// with the child's pipes) runs on that thread, never on Swift's cooperative pool.
public final class ChildProcess: Sendable {
    /// What to start, and how its standard streams are connected.
    public struct Launch: Sendable {
        public var executable: String
        /// The arguments after the program's name.
        public var arguments: [String]
        /// The child's whole environment.
        public var environment: [String: String]
        /// Descriptors the child gets as stdin, stdout and stderr; nil gives it this process's own. They
        /// are handed over: this process's copies are closed once the child has its own.
        public var standardInput: Int32?
        public var standardOutput: Int32?
        public var standardError: Int32?
        /// Its own process group: a terminal's Ctrl-C does not reach it, and signals reach its children too.
        public var newProcessGroup: Bool
        /// Its working directory; nil keeps this process's.
        public var directory: String?

        public init(
            executable: String, arguments: [String], environment: [String: String], standardInput: Int32? = nil,
            standardOutput: Int32? = nil, standardError: Int32? = nil, newProcessGroup: Bool = false,
            directory: String? = nil
        ) {
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.standardInput = standardInput
            self.standardOutput = standardOutput
            self.standardError = standardError
            self.newProcessGroup = newProcessGroup
            self.directory = directory
        }
    }

    private struct State {
        var termination: ChildTermination?
        var waiters: [CheckedContinuation<ChildTermination, Never>] = []
        /// `terminate` was called: whatever of its group outlives the child itself is killed.
        var terminating = false
    }

    public let pid: pid_t
    private let newProcessGroup: Bool
    private let state = Mutex(State())

    private init(pid: pid_t, newProcessGroup: Bool) {
        self.pid = pid
        self.newProcessGroup = newProcessGroup
    }

    /// Starts the child, returning once it runs (the caller waits for `fork` only).
    ///
    /// - Parameter attend: runs on the child's thread once the child has started and before it is reaped:
    ///   for feeding and draining its pipes.
    /// - Throws: `POSIXError` when it cannot be started.
    public static func start(_ launch: Launch, attend: @escaping @Sendable (pid_t) -> Void = { _ in })
        throws(POSIXError) -> ChildProcess
    {
        let started = Mutex<Result<ChildProcess, POSIXError>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread {
            let spawned = spawn(launch)
            for descriptor in [launch.standardInput, launch.standardOutput, launch.standardError].compactMap({ $0 }) {
                close(descriptor)
            }
            let child = spawned.map { ChildProcess(pid: $0, newProcessGroup: launch.newProcessGroup) }
            started.withLock { $0 = child }
            ready.signal()
            guard case .success(let child) = child else { return }
            attend(child.pid)
            child.reap()
        }
        thread.name = "switchboard.child"
        thread.start()
        ready.wait()
        return try started.withLock { $0! }.get()
    }

    private static func spawn(_ launch: Launch) -> Result<pid_t, POSIXError> {
        let argv: [UnsafeMutablePointer<CChar>?] = ([launch.executable] + launch.arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = launch.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let pid = sb_spawn(
            launch.executable, argv, envp, launch.directory, launch.standardInput ?? -1, launch.standardOutput ?? -1,
            launch.standardError ?? -1, launch.newProcessGroup ? 1 : 0
        )
        guard pid > 0 else { return .failure(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)) }
        return .success(pid)
    }

    /// Waits for the child to exit without reaping it, then reaps it under the lock, so `signal` never
    /// reaches a process that has taken over its pid. A child being terminated that has its own group
    /// takes the rest of the group with it: SIGKILL goes to the group while the unreaped child still holds
    /// the group's id, so no other group can have taken it over.
    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        let waiters = state.withLock { state in
            if state.terminating && newProcessGroup {
                kill(-pid, SIGKILL)
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7f
            state.termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
            defer { state.waiters.removeAll() }
            return state.waiters.map { ($0, state.termination!) }
        }
        waiters.forEach { $0.0.resume(returning: $0.1) }
    }

    /// True once the child has exited (it may not have been reaped yet).
    public static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        // WNOWAIT: look without reaping, so the child's own thread still collects the status.
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0
            && info._sifields._sigchld.si_pid == pid
    }

    /// Sends `number` to the child (to its whole group when it has its own), unless it has been reaped.
    public func signal(_ number: Int32) {
        state.withLock { state in
            guard state.termination == nil else { return }
            kill(newProcessGroup ? -pid : pid, number)
        }
    }

    /// SIGTERM now, SIGKILL after `grace` if it is still running then; with its own group, to the whole
    /// group, and the moment the child exits to whatever of the group is left (a process that ignores
    /// SIGTERM, one started in the background).
    public func terminate(grace: Duration) {
        state.withLock { $0.terminating = true }
        signal(SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(grace.wholeNanoseconds))) {
            self.signal(SIGKILL)
        }
    }

    /// How the child ended, if it has been reaped; nil while it runs.
    public var ended: ChildTermination? {
        state.withLock { $0.termination }
    }

    /// How the child ended, once it has.
    public func termination() async -> ChildTermination {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state in
                if state.termination == nil { state.waiters.append(continuation) }
                return state.termination
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }
}
