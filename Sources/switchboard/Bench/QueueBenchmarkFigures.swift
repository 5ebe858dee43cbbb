import CSQLite
import Foundation
import Queue

/// The figures of one `switchboard bench queue` run.
/// How several processes fared committing small transactions back to back on one file.
struct LockHandOver {
    var commits: [Int]
    var longestWaitMilliseconds: [Double]
}
struct QueueBenchmarkFigures {
    var enqueueSingle: Double
    var enqueueBatched: Double
    var claimCompleteOne: Double
    var claimCompleteMany: Double
    /// Each process's share of the jobs in the many-process run.
    var shares: [Double]
    var latencyMilliseconds: [Double]
    var handOver: LockHandOver
    var baseline: SQLiteBaselineFigures
}
