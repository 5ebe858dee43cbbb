import Queue

/// Runs one claimed job and says how it went.
///
/// A handler is called concurrently for different jobs. When its task is cancelled (the worker is
/// shutting down past its grace period, or the job's lease was lost) it should stop soon; whatever
/// it returns then, other than completing, is turned into handing the job back, without effects.
public protocol JobHandler: Sendable {
    /// The kinds of job this handler runs, or nil for every kind: a worker claims only these, so it
    /// never takes (and fails) a job that another worker is there to run.
    var kinds: [String]? { get }

    func run(_ job: ClaimedJob) async -> JobResult
}
extension JobHandler {
    /// Every kind, unless the handler says otherwise.
    public var kinds: [String]? { nil }
}
