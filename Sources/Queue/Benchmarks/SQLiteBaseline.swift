import Foundation

/// The raw-SQLite baseline of `switchboard bench queue`: the simplest code a queue could be, with no
/// batching, so every Switchboard figure can be printed as a ratio to it.
package enum SQLiteBaseline {
    /// Runs the baseline on a new file at `path` (deleted first if it exists).
    ///
    /// - Parameters:
    ///   - singles: how many single-row commits and naive claim+ack rounds to time.
    ///   - batched: how many rows for each batched-insert timing.
    package static func measure(path: String, durability: Durability, singles: Int, batched: Int) async throws
        -> BaselineFigures
    {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
        let database = try await Database.open(
            path: path, mode: .createIfMissing, durability: durability, lockTimeout: .seconds(20),
            schema: Schema(migrations: [baselineTable])
        )
        return try await database.perform { connection in
            let payload = SQLValue.blob(Data(#"{"n":1}"#.utf8))
            let insert = "INSERT INTO baseline_jobs (queue, payload, state) VALUES ('q', ?1, 'ready')"

            let inserts = try Throughput.inserts(
                singles: singles, batched: batched, insert: { try connection.execute(insert, [payload]) },
                transaction: { try connection.writeTransaction($0) })

            try connection.executeScript("DELETE FROM baseline_jobs")
            for _ in 0..<(singles / 1_000 + 1) {
                try connection.writeTransaction {
                    for _ in 0..<1_000 {
                        try connection.execute(insert, [payload])
                    }
                }
            }
            let naive = try Throughput.perSecond(singles) {
                for _ in 0..<singles {
                    let id = try connection.integer(
                        """
                        UPDATE baseline_jobs SET state = 'leased'
                        WHERE id = (SELECT id FROM baseline_jobs WHERE state = 'ready' ORDER BY id LIMIT 1)
                        RETURNING id
                        """
                    )
                    if let id {
                        try connection.execute("DELETE FROM baseline_jobs WHERE id = ?1", [.integer(id)])
                    }
                }
            }
            return BaselineFigures(
                name: "raw SQLite",
                singleInsertsPerSecond: inserts.single,
                batchedInsertsPerSecond: inserts.batched,
                bestBatchSize: inserts.batchSize,
                naiveClaimAckPerSecond: naive,
                naiveClaimAckConcurrent: nil
            )
        }
    }

    private static let baselineTable = Migration(
        version: 1,
        sql: """
            CREATE TABLE baseline_jobs (
                id INTEGER PRIMARY KEY, queue TEXT NOT NULL, payload BLOB NOT NULL, state TEXT NOT NULL);
            CREATE INDEX baseline_jobs_state ON baseline_jobs (state, id);
            """
    )

}
