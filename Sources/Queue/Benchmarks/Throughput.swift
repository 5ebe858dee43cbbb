import Foundation

/// How many things per second a piece of work got through: the one stopwatch of the benchmarks.
package enum Throughput {
    package static func perSecond(_ count: Int, _ body: () throws -> Void) rethrows -> Double {
        let started = ContinuousClock.now
        try body()
        return Double(count) / (ContinuousClock.now - started).seconds
    }

    package static func perSecond(_ count: Int, _ body: () async throws -> Void) async rethrows -> Double {
        let started = ContinuousClock.now
        try await body()
        return Double(count) / (ContinuousClock.now - started).seconds
    }

    /// The insert rates of a raw baseline: `singles` inserts each committed on its own, and the best of
    /// batches of 100, 1,000 and 10,000 inserts per transaction over `batched` rows.
    package static func inserts(
        singles: Int, batched: Int, insert: @escaping () throws -> Void,
        transaction: (() throws -> Void) throws -> Void
    ) throws -> (single: Double, batched: Double, batchSize: Int) {
        let single = try perSecond(singles) {
            for _ in 0..<singles {
                try insert()
            }
        }
        var best = (rate: 0.0, size: 0)
        for size in [100, 1_000, 10_000] where size <= batched {
            let measured = try perSecond(batched) {
                for _ in 0..<(batched / size) {
                    try transaction {
                        for _ in 0..<size {
                            try insert()
                        }
                    }
                }
            }
            if measured > best.rate {
                best = (measured, size)
            }
        }
        return (single, best.rate, best.size)
    }
}
