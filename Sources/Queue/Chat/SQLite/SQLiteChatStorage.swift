import Foundation
import Queue

/// The chat tables on the SQLite file of a `SQLiteJobStorage`, through its connection and clock.
struct SQLiteChatStorage: ChatStorage {
    let jobs: SQLiteJobStorage

    /// Runs `body` in a write transaction, with the time read inside it (after the write lock is had).
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection, Timestamp) throws -> T) async throws -> T {
        let clock = jobs.clock
        return try await jobs.database.write { connection in try body(connection, clock.now()) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection, Timestamp) throws -> T) async throws -> T {
        try await jobs.read(body)
    }
}
