import Foundation
import Queue

/// Runs every job through a shell command: the generic worker behind `switchboard work --exec`.
///
/// The payload goes to the command's stdin; `SWITCHBOARD_JOB_ID`, `SWITCHBOARD_KIND`, `SWITCHBOARD_QUEUE`
/// and `SWITCHBOARD_ATTEMPT` to its environment, on top of `environment` (which the worker gives without
/// its own credentials). Its exit status decides the outcome:
/// 0 completes the job, 75 (EX_TEMPFAIL) snoozes it, 65 (EX_DATAERR) dead-letters it at once, and any
/// other status or a signal fails it (retryable) with the tail of its stderr as the error.
public struct ShellCommandHandler: JobHandler {
    /// Exit status that snoozes the job.
    public static let snoozeStatus: Int32 = 75
    /// Exit status that dead-letters the job.
    public static let rejectStatus: Int32 = 65

    public var command: String
    /// How long a snoozed job waits.
    public var snoozeDelay: Duration
    /// The kinds the command runs; nil for every kind.
    public var kinds: [String]?
    /// The environment every command starts from.
    public var environment: [String: String]
    /// A cancelled command's time between SIGTERM and SIGKILL (`WorkerOptions.killGrace`): short enough
    /// that a job stopped for want of a renewed lease is gone before the lease can pass on.
    public var killGrace: Duration

    public init(
        command: String, environment: [String: String], snoozeDelay: Duration = .seconds(30), kinds: [String]? = nil,
        killGrace: Duration = .seconds(5)
    ) {
        self.command = command
        self.environment = environment
        self.snoozeDelay = snoozeDelay
        self.kinds = kinds
        self.killGrace = killGrace
    }

    public func run(_ job: ClaimedJob) async -> JobResult {
        JobResult(await outcome(of: job))
    }

    private func outcome(of job: ClaimedJob) async -> JobOutcome {
        let jobVariables = [
            "SWITCHBOARD_JOB_ID": String(job.id),
            "SWITCHBOARD_KIND": job.kind,
            "SWITCHBOARD_QUEUE": job.queue,
            "SWITCHBOARD_ATTEMPT": String(job.attempt),
        ]
        let shell = ShellCommand(
            command, environment: environment.merging(jobVariables) { _, job in job }, killGrace: killGrace)
        let result = await shell.run(input: job.payload)
        let detail = result.stderrTail.trimmingCharacters(in: .whitespacesAndNewlines)
        let suffix = detail.isEmpty ? "" : ": \(detail)"
        switch result.termination {
        case .exited(0):
            return .complete
        case .exited(Self.snoozeStatus):
            return .snooze(snoozeDelay)
        case .exited(Self.rejectStatus):
            return .fail(error: "command exited with 65 (rejected)\(suffix)", retryable: false)
        case .exited(let status):
            return .fail(error: "command exited with \(status)\(suffix)", retryable: true)
        case .signalled(let number):
            return .fail(error: "command killed by signal \(number)\(suffix)", retryable: true)
        case .spawnFailed(let code):
            return .fail(error: "could not start /bin/sh: \(String(cString: strerror(code)))", retryable: true)
        }
    }
}
