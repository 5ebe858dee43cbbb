import Foundation
import Queue
import Synchronization

/// Something a worker did, for its log.
public enum WorkerEvent: Sendable {
    case claimed(ClaimedJob)
    /// A settlement was committed.
    case settled(ClaimedJob, JobOutcome, SettlementResult)
    /// The job's lease was lost while it ran (it was cancelled, or the worker stalled past its lease): its
    /// work is stopped and its outcome dropped.
    case leaseLost(ClaimedJob)
    /// The job's lease could not be renewed in time (the database unreachable, say): the worker stopped
    /// its work itself before the lease could run out and pass to another worker, and hands it back.
    case fenced(ClaimedJob)
    case stopping(inFlight: Int)
    /// An exchange with the store failed; the worker keeps its settlements and tries again.
    case storeFailed(String)
    /// The store kept failing in a way waiting does not mend (a corrupt or read-only file, a full disk):
    /// the worker stops and `run` throws the error.
    case storeUnusable(String)
    /// How the worker learns of new work, when first known and whenever it changes: polling means a job
    /// may wait up to a poll interval for it.
    case wakeups(Wakeups)
}
