import Queue

/// Runs one claimed job and says how it went.
///
/// A handler is called concurrently for different jobs. When its task is cancelled (the worker is
/// shutting down past its grace period, or the job's lease was lost) it should stop soon; whatever
/// it returns then, other than `.complete`, is turned into handing the job back.
public protocol JobHandler: Sendable {
    func run(_ job: ClaimedJob) async -> JobOutcome
}
