import Foundation
import Synchronization

/// The raw-libpq baseline of `switchboard bench queue --db postgres://...`: the simplest code a queue on
/// PostgreSQL could be, so every Switchboard figure can be printed as a ratio to it. It works in a schema
/// of its own, `switchboard_baseline`, dropped when it is done.
package enum PostgresBaseline {
    /// - Parameters:
    ///   - singles: how many single-row commits and claim+delete rounds to time.
    ///   - batched: how many rows for each batched-insert timing.
    ///   - clients: how many connections run the claim+delete loop at once in its concurrent timing.
    package static func measure(url: String, durability: Durability, singles: Int, batched: Int, clients: Int)
        async throws -> BaselineFigures
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        try measureBlocking(
                            url: url, durability: durability, singles: singles, batched: batched, clients: clients)
                    })
            }.start()
        }
    }

    private static func connect(_ url: String, durability: Durability) throws -> PGConnection {
        let connection = try PGConnection(url: url)
        try connection.execute("SET search_path TO switchboard_baseline")
        if durability == .normal {
            try connection.execute("SET synchronous_commit TO off")
        }
        return connection
    }

    private static func measureBlocking(url: String, durability: Durability, singles: Int, batched: Int, clients: Int)
        throws -> BaselineFigures
    {
        let connection = try connect(url, durability: durability)
        try connection.executeScript(
            """
            DROP SCHEMA IF EXISTS switchboard_baseline CASCADE;
            CREATE SCHEMA switchboard_baseline;
            CREATE TABLE switchboard_baseline.baseline_jobs (
                id bigserial PRIMARY KEY, queue text NOT NULL, payload bytea NOT NULL, state text NOT NULL);
            CREATE INDEX baseline_jobs_state ON switchboard_baseline.baseline_jobs (state, id);
            """)
        defer { _ = try? connection.executeScript("DROP SCHEMA IF EXISTS switchboard_baseline CASCADE") }
        let payload = PGValue.bytea(Data(#"{"n":1}"#.utf8))
        let insert = "INSERT INTO baseline_jobs (queue, payload, state) VALUES ('q', $1, 'ready')"

        let inserts = try Throughput.inserts(
            singles: singles, batched: batched, insert: { try connection.execute(insert, [payload]) },
            transaction: { body in
                try connection.execute("BEGIN")
                try body()
                try connection.execute("COMMIT")
            })

        try connection.execute("TRUNCATE baseline_jobs")
        try connection.execute(
            "INSERT INTO baseline_jobs (queue, payload, state) SELECT 'q', $1, 'ready' FROM generate_series(1, $2)",
            [payload, .integer(singles * (1 + clients))])
        let claimAndDelete = """
            DELETE FROM baseline_jobs WHERE id = (
                SELECT id FROM baseline_jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id
            """
        let naive = try Throughput.perSecond(singles) {
            for _ in 0..<singles {
                try connection.execute(claimAndDelete)
            }
        }
        let failures = Mutex<[any Error]>([])
        let concurrent = try Throughput.perSecond(singles * clients) {
            let group = DispatchGroup()
            for _ in 0..<clients {
                group.enter()
                Thread {
                    defer { group.leave() }
                    do {
                        let client = try connect(url, durability: durability)
                        for _ in 0..<singles {
                            try client.execute(claimAndDelete)
                        }
                    } catch {
                        failures.withLock { $0.append(error) }
                    }
                }.start()
            }
            group.wait()
            if let failure = failures.withLock({ $0.first }) {
                throw failure
            }
        }
        return BaselineFigures(
            name: "raw libpq",
            singleInsertsPerSecond: inserts.single,
            batchedInsertsPerSecond: inserts.batched,
            bestBatchSize: inserts.batchSize,
            naiveClaimAckPerSecond: naive,
            naiveClaimAckConcurrent: (clients, concurrent)
        )
    }

}
