import Foundation

/// What the database does on this machine with the simplest code a queue could be (no batching, one
/// job per transaction), measured in the same run as the queue's figures so each can be printed as a ratio.
package struct BaselineFigures: Sendable {
    /// What was measured: "raw SQLite", "raw libpq".
    package var name: String
    /// Single-row INSERTs, each committed on its own.
    package var singleInsertsPerSecond: Double
    /// The best of several batch sizes of INSERTs per transaction.
    package var batchedInsertsPerSecond: Double
    /// The batch size that gave `batchedInsertsPerSecond`.
    package var bestBatchSize: Int
    /// A naive queue loop: claim one row and commit, then delete it and commit (on PostgreSQL, claim and
    /// delete one row with `SKIP LOCKED` in one transaction).
    package var naiveClaimAckPerSecond: Double
    /// The same loop from several clients at once, where measured, with how many.
    package var naiveClaimAckConcurrent: (clients: Int, perSecond: Double)?
}
