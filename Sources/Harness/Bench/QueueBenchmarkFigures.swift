import Foundation
import Queue

/// The figures of one `switchboard bench queue` run.
/// How several processes fared committing small transactions back to back on one file.
package struct LockHandOver {
    package var commits: [Int]
    package var longestWaitMilliseconds: [Double]
}
package struct QueueBenchmarkFigures {
    package var enqueueSingle: Double
    package var enqueueBatched: Double
    package var claimCompleteOne: Double
    package var claimCompleteMany: Double
    /// Each process's share of the jobs in the many-process run.
    package var shares: [Double]
    package var latencyMilliseconds: [Double]
    /// SQLite's writer lock only: PostgreSQL has no database-wide lock to hand over.
    package var handOver: LockHandOver?
    /// SQLite only: a store call's round trip to the database's thread and back with nothing run there.
    package var threadRoundTrip: Duration?
    package var baseline: BaselineFigures
}
