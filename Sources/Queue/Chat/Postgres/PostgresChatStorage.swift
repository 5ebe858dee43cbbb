import Foundation
import Queue

/// The chat tables on the PostgreSQL database of a `PostgresJobStorage`, through its connection and clock.
///
/// What SQLite's single writer serialises, advisory locks serialise here: an owner's pending codes (so
/// the cap holds under concurrent requests), an identity's channel connection, a server's or user's link
/// tokens. Single use of a code or token rests on the row lock of its `UPDATE`.
struct PostgresChatStorage: ChatStorage {
    let jobs: PostgresJobStorage

    /// Runs `body` in a write transaction, with the time read inside it.
    func write<T: Sendable>(_ body: @escaping @Sendable (PGConnection, Timestamp) throws -> T) async throws -> T {
        let clock = jobs.clock
        return try await jobs.database.write { connection in try body(connection, clock.now()) }
    }

    /// Runs `body` in a write transaction with the store's clock, for a rule that must read the time only
    /// once it holds its row's lock (an expiry judged at the moment of use, not of asking).
    func writeWithClock<T: Sendable>(_ body: @escaping @Sendable (PGConnection, any WallClock) throws -> T) async throws
        -> T
    {
        let clock = jobs.clock
        return try await jobs.database.write { connection in try body(connection, clock) }
    }

    /// Runs `body`, one statement, in one round trip; see `PostgresJobStorage.query`.
    func query<T: Sendable>(_ body: @escaping @Sendable (PGConnection, Timestamp) throws -> T) async throws -> T {
        try await jobs.query(body)
    }

    /// Takes the transaction-level advisory lock named by `parts` (a purpose and the values it covers).
    static func lock(_ parts: String..., in connection: PGConnection) throws {
        try connection.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.text(parts.joined(separator: "\u{1F}"))])
    }
}
