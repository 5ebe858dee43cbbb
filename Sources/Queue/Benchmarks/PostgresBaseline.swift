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

    /// A connection of the baseline's, committing as `durability` asks. A direct connection is set up for
    /// the whole session (`SET synchronous_commit`), as the simplest code would; through a connection
    /// pooler a session setting would stay behind for other clients, so there each statement that commits
    /// on its own runs as a transaction of one statement that sets it for itself (in one round trip too).
    private struct Connection {
        let connection: PGConnection
        private let settingEachTransaction: Bool

        init(_ url: String, durability: Durability) throws {
            connection = try PGConnection(url: url)
            let pooled = try connection.isPooled()
            settingEachTransaction = durability == .normal && pooled
            if durability == .normal && !pooled {
                try connection.execute("SET synchronous_commit TO off")
            }
        }

        /// Runs `sql`, committing on its own; `literalSQL` is the same statement with its parameters
        /// written out, for the one-round-trip transaction a pooled connection needs.
        func commit(_ sql: String, _ parameters: [PGValue] = [], literalSQL: String? = nil) throws {
            if settingEachTransaction {
                try connection.executeScript(
                    "BEGIN; SET LOCAL synchronous_commit TO off; \(literalSQL ?? sql); COMMIT")
            } else {
                try connection.execute(sql, parameters)
            }
        }

        /// Runs `body` in a transaction.
        func transaction(_ body: () throws -> Void) throws {
            try connection.executeScript(
                settingEachTransaction ? "BEGIN; SET LOCAL synchronous_commit TO off" : "BEGIN")
            try body()
            try connection.execute("COMMIT")
        }
    }

    private static func measureBlocking(url: String, durability: Durability, singles: Int, batched: Int, clients: Int)
        throws -> BaselineFigures
    {
        let baseline = try Connection(url, durability: durability)
        let connection = baseline.connection
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
        let insert = "INSERT INTO switchboard_baseline.baseline_jobs (queue, payload, state) VALUES ('q', $1, 'ready')"
        let literalInsert = insert.replacing("$1", with: "'\\x7b226e223a317d'::bytea")

        let inserts = try Throughput.inserts(
            singles: singles, batched: batched,
            insert: { try baseline.commit(insert, [payload], literalSQL: literalInsert) },
            transaction: { body in try baseline.transaction(body) })

        try connection.execute("TRUNCATE switchboard_baseline.baseline_jobs")
        try connection.execute(
            """
            INSERT INTO switchboard_baseline.baseline_jobs (queue, payload, state)
            SELECT 'q', $1, 'ready' FROM generate_series(1, $2)
            """,
            [payload, .integer(singles * (1 + clients))])
        let claimAndDelete = """
            DELETE FROM switchboard_baseline.baseline_jobs WHERE id = (
                SELECT id FROM switchboard_baseline.baseline_jobs WHERE state = 'ready' ORDER BY id LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING id
            """
        let naive = try Throughput.perSecond(singles) {
            for _ in 0..<singles {
                try baseline.commit(claimAndDelete)
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
                        let client = try Connection(url, durability: durability)
                        for _ in 0..<singles {
                            try client.commit(claimAndDelete)
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
