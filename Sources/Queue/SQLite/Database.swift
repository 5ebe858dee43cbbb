import CSQLite
import Dispatch
import Foundation

/// A SQLite connection reached from async code through its own serial dispatch queue.
///
/// Blocking SQLite calls (file I/O, fsync, waiting for another process's lock) run on this queue's
/// thread, never on Swift's cooperative pool, which has one thread per core and stalls every task
/// in the process when one of them blocks.
package final class Database: @unchecked Sendable {
    // @unchecked Sendable: `connection` is not thread-safe, and it is touched only inside blocks
    // submitted to `queue`, which is serial; so at most one thread uses it at a time, and the queue's
    // hand-over between blocks orders every access after the previous one.
    private let queue: DispatchQueue
    private let connection: SQLiteConnection

    /// How many times a whole write transaction is tried when other writers keep the lock.
    static let transactionAttempts = 4

    /// The version of the SQLite library linked in, for quoting benchmark figures.
    package static var libraryVersion: String {
        String(cString: sqlite3_libversion())
    }

    private init(queue: DispatchQueue, connection: SQLiteConnection) {
        self.queue = queue
        self.connection = connection
    }

    /// Opens (or creates) the database at `path`, checks it is ours, and applies pending migrations.
    ///
    /// - Throws: `QueueError` (`.databaseMissing`, `.foreignDatabase`, `.schemaTooNew`, and in read-only
    ///   mode `.schemaOutdated`) or `SQLiteError`. A database that is refused is left exactly as it was.
    static func open(
        path: String,
        mode: SQLiteConnection.OpenMode,
        durability: Durability,
        lockTimeout: Duration,
        schema: Schema
    ) async throws -> Database {
        let queue = DispatchQueue(label: "switchboard.sqlite")
        let connection: SQLiteConnection = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        if mode != .createIfMissing && !FileManager.default.fileExists(atPath: path) {
                            throw QueueError(.databaseMissing, "no database at \(path)")
                        }
                        let connection = try SQLiteConnection(
                            path: path, mode: mode, lockTimeout: lockTimeout,
                            busyTimeout: lockTimeout / transactionAttempts
                        )
                        try schema.prepare(connection, durability: durability, readOnly: mode == .readOnly)
                        return connection
                    })
            }
        }
        return Database(queue: queue, connection: connection)
    }

    /// Runs `body` on the connection's queue, outside any transaction.
    package func perform<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }

    /// Runs `body` in a write transaction, trying the whole transaction again while the lock is contended.
    /// Under a `StoreDeadline`, the other Switchboard writers are waited for only until then.
    ///
    /// `body` may run more than once, so it must not have effects outside the database.
    /// - Throws: `QueueError.contended` when every attempt met a held lock, or whatever `body` throws.
    package func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let deadline = StoreDeadline.current
        return try await perform { connection in
            try Self.retryingContention {
                try connection.writeTransaction(until: deadline) { try body(connection) }
            }
        }
    }

    /// Runs `body` in a read transaction: all its queries see one snapshot.
    package func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await perform { connection in
            try Self.retryingContention {
                try connection.readTransaction { try body(connection) }
            }
        }
    }

    /// Runs `attempt` until it stops failing with a lock conflict, at most `transactionAttempts` times.
    static func retryingContention<T>(_ attempt: () throws -> T) throws -> T {
        var round = 1
        while true {
            do {
                return try attempt()
            } catch let error as SQLiteError where error.isContention {
                guard round < transactionAttempts else {
                    throw QueueError(
                        .contended, "the database stayed locked by another program through \(round) attempts",
                        cause: error
                    )
                }
                // Back off a little more each round, with jitter, before queueing for the lock again.
                usleep(UInt32.random(in: 1_000...5_000) * UInt32(round))
                round += 1
            }
        }
    }
}
