import Foundation
import Queue
import Synchronization

/// Something a worker did, for its log.
public enum WorkerEvent: Sendable {
    case claimed(ClaimedJob)
    /// A settlement was committed.
    case settled(ClaimedJob, JobOutcome, SettlementResult)
    /// The job's lease was lost while it ran (the worker stalled past its lease); its outcome is dropped.
    case leaseLost(ClaimedJob)
    case stopping(inFlight: Int)
    /// An exchange with the store failed; the worker keeps its settlements and tries again.
    case storeFailed(String)
    /// The store kept failing in a way waiting does not mend (a corrupt or read-only file, a full disk):
    /// the worker stops and `run` throws the error.
    case storeUnusable(String)
}
