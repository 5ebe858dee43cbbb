import Foundation
import Synchronization

/// A PostgreSQL database reached through a small pool of sessions (connections, each on a serial queue of
/// its own): each call takes an idle session, waiting while all are busy, so one process's turns,
/// deliveries and worker rounds do not queue behind one connection's round trips.
package final class PostgresDatabase: Sendable {
    private let sessions: [PostgresSession]
    private let pool: Mutex<(idle: [Int], waiting: [CheckedContinuation<Int, Never>])>

    /// Opens a pool of `size` sessions. The first connects now and runs `prepare` (checks and migrations);
    /// the others connect when first used.
    ///
    /// - Parameters:
    ///   - settings: statements run on every new connection (`SET ...`).
    ///   - reconnectTimeout: how long a broken connection is re-established before giving up.
    package static func open(
        url: String, settings: [String], reconnectTimeout: Duration, size: Int,
        prepare: @escaping @Sendable (PGConnection) throws -> Void
    ) async throws -> PostgresDatabase {
        let sessions = (0..<max(size, 1)).map { _ in
            PostgresSession(url: url, settings: settings, reconnectTimeout: reconnectTimeout)
        }
        try await sessions[0].connect(prepare: prepare)
        return PostgresDatabase(sessions: sessions)
    }

    private init(sessions: [PostgresSession]) {
        self.sessions = sessions
        pool = Mutex((Array(sessions.indices), []))
    }

    /// Runs `body` outside a transaction (each statement commits on its own); see `PostgresSession`.
    package func perform<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await withSession { try await $0.perform(body) }
    }

    /// Runs `body` in a read-write transaction, tried again as a whole on a conflict or a broken
    /// connection; see `PostgresSession.write`.
    package func write<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await withSession { try await $0.write(body) }
    }

    /// `write`, with the server's clock read in the BEGIN's round trip when `readingServerTime` (the
    /// transaction's `now()`, in milliseconds since 1970; nil otherwise).
    package func write<T: Sendable>(
        readingServerTime: Bool, _ body: @escaping @Sendable (PGConnection, Int64?) throws -> T
    ) async throws -> T {
        try await withSession { try await $0.write(readingServerTime: readingServerTime, body) }
    }

    /// Runs `body` in a read-only transaction that sees one snapshot, with the server's clock as `write`
    /// reads it.
    package func read<T: Sendable>(
        readingServerTime: Bool, _ body: @escaping @Sendable (PGConnection, Int64?) throws -> T
    ) async throws -> T {
        try await withSession { try await $0.read(readingServerTime: readingServerTime, body) }
    }

    private func withSession<T>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        let index = await acquire()
        defer { release(index) }
        return try await body(sessions[index])
    }

    private func acquire() async -> Int {
        await withCheckedContinuation { continuation in
            let free = pool.withLock { pool -> Int? in
                if let index = pool.idle.popLast() { return index }
                pool.waiting.append(continuation)
                return nil
            }
            if let free { continuation.resume(returning: free) }
        }
    }

    private func release(_ index: Int) {
        let waiter = pool.withLock { pool -> CheckedContinuation<Int, Never>? in
            if pool.waiting.isEmpty {
                pool.idle.append(index)
                return nil
            }
            return pool.waiting.removeFirst()
        }
        waiter?.resume(returning: index)
    }
}
