import Foundation
import Queue

/// The chat tables on the PostgreSQL database of a `PostgresJobStorage`, through its connections, judged by
/// the server's clock as the job tables are (expiries of codes and tokens mean the same from every machine).
///
/// What SQLite's single writer serialises, advisory locks serialise here: an owner's pending codes (so
/// the cap holds under concurrent requests), an identity's channel connection, a server's or user's link
/// tokens. Single use of a code or token rests on the row lock of its `UPDATE`.
struct PostgresChatStorage: ChatStorage {
    let jobs: PostgresJobStorage

    /// Runs `body` in a write transaction, at the time its BEGIN read.
    func write<T: Sendable>(_ body: @escaping @Sendable (PGConnection, Timestamp) throws -> T) async throws -> T {
        try await jobs.writeJobs(reservingIDs: 0) { transaction in try body(transaction.connection, transaction.now) }
    }

    /// Runs `body` in a write transaction with a way to read the time when it is needed, for a rule that
    /// must read it only once it holds its row's lock (an expiry judged at the moment of use, not of asking).
    func writeReadingTime<T: Sendable>(
        _ body: @escaping @Sendable (PGConnection, _ currentTime: () throws -> Timestamp) throws -> T
    ) async throws -> T {
        let clock = jobs.clock
        let serverClock = jobs.usesServerClock
        return try await jobs.database.write { connection in
            try body(connection) {
                guard serverClock else { return clock.now() }
                let milliseconds = try connection.execute("SELECT \(PostgresClockSQL.current)").first { $0.int64(0) }
                return Timestamp(millisecondsSince1970: milliseconds ?? 0)
            }
        }
    }

    /// Runs `body`, one statement, in one round trip; see `PostgresJobStorage.query`.
    func query<T: Sendable>(_ body: @escaping @Sendable (PGConnection, StatementTime) throws -> T) async throws -> T {
        try await jobs.query(body)
    }

    /// Takes the transaction-level advisory lock named by `parts` (a purpose and the values it covers).
    static func lock(_ parts: String..., in connection: PGConnection) throws {
        try connection.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.text(parts.joined(separator: "\u{1F}"))])
    }
}
