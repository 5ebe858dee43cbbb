import Foundation
import Synchronization

/// A PostgreSQL database reached through a small pool of sessions (connections, each on a serial queue of
/// its own): each call takes an idle session, waiting while all are busy, so one process's turns,
/// deliveries and worker rounds do not queue behind one connection's round trips. A call under a
/// `StoreDeadline` waits for a session only until then.
package final class PostgresDatabase: Sendable {
    private struct Waiter {
        let number: Int
        let continuation: CheckedContinuation<Int?, Never>
    }

    private let sessions: [PostgresSession]
    private let pool: Mutex<(idle: [Int], waiting: [Waiter], next: Int)>

    /// Opens a pool of `size` sessions. The first connects now and runs `prepare` (checks and migrations);
    /// the others connect when first used.
    ///
    /// - Parameters:
    ///   - settings: what each transaction sets for itself (nothing is set on a connection).
    ///   - reconnectTimeout: how long a broken connection is re-established before giving up.
    static func open(
        url: String, settings: PostgresTransactionSettings, reconnectTimeout: Duration, size: Int,
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
        pool = Mutex((Array(sessions.indices), [], 0))
    }

    /// Runs `body` outside a transaction (each statement commits on its own); see `PostgresSession`.
    package func perform<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await withSession { try await $0.perform(until: $1, body) }
    }

    /// Runs `body` in a read-write transaction, tried again as a whole on a conflict or a broken
    /// connection; see `PostgresSession.write`.
    package func write<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await withSession { try await $0.write(until: $1, body) }
    }

    /// `write`, with the server's clock read in the BEGIN's round trip when `readingServerTime` (the
    /// transaction's `now()`, in milliseconds since 1970; nil otherwise).
    package func write<T: Sendable>(
        readingServerTime: Bool, _ body: @escaping @Sendable (PGConnection, Int64?) throws -> T
    ) async throws -> T {
        try await withSession { try await $0.write(until: $1, readingServerTime: readingServerTime, body) }
    }

    /// `write`, with `expressions` evaluated in the BEGIN's round trip too; see `PostgresSession.write`.
    package func write<T: Sendable>(
        readingServerTime: Bool, alsoSelecting expressions: [String],
        _ body: @escaping @Sendable (PGConnection, OpenedTransaction) throws -> T
    ) async throws -> T {
        try await withSession {
            try await $0.write(until: $1, readingServerTime: readingServerTime, alsoSelecting: expressions, body)
        }
    }

    /// Runs `statements` as one transaction in one round trip; see `PostgresSession.writeInOneRoundTrip`.
    func writeInOneRoundTrip<T: Sendable>(
        _ statements: [PGStatement], reading: @escaping @Sendable ([PGResult]) throws -> T
    ) async throws -> T {
        try await withSession { try await $0.writeInOneRoundTrip(until: $1, statements, reading: reading) }
    }

    /// Runs `body` in a read-only transaction that sees one snapshot, with the server's clock as `write`
    /// reads it.
    package func read<T: Sendable>(
        readingServerTime: Bool, _ body: @escaping @Sendable (PGConnection, Int64?) throws -> T
    ) async throws -> T {
        try await withSession { try await $0.read(until: $1, readingServerTime: readingServerTime, body) }
    }

    /// Runs `body` on an idle session, with the caller's deadline.
    private func withSession<T>(_ body: (PostgresSession, ContinuousClock.Instant?) async throws -> T) async throws
        -> T
    {
        let deadline = StoreDeadline.current
        guard let index = await acquire(until: deadline) else {
            throw QueueError(
                .unavailable,
                "every connection to PostgreSQL stayed busy until the caller's deadline; nothing was written")
        }
        defer { release(index) }
        return try await body(sessions[index], deadline)
    }

    /// An idle session's index, waiting for one while all are busy; nil when `deadline` came first.
    private func acquire(until deadline: ContinuousClock.Instant?) async -> Int? {
        await withCheckedContinuation { continuation in
            let outcome = pool.withLock { pool -> (free: Int?, waiter: Int) in
                if let index = pool.idle.popLast() { return (index, 0) }
                pool.next += 1
                pool.waiting.append(Waiter(number: pool.next, continuation: continuation))
                return (nil, pool.next)
            }
            if let free = outcome.free {
                continuation.resume(returning: free)
            } else if let deadline {
                // Nothing is idle: stop waiting at the deadline (nothing happens if a session came first).
                Task {
                    try? await Task.sleep(until: deadline)
                    self.giveUp(outcome.waiter)
                }
            }
        }
    }

    /// Ends waiter `number`'s wait without a session, if it still waits.
    private func giveUp(_ number: Int) {
        let waiter = pool.withLock { pool -> Waiter? in
            guard let position = pool.waiting.firstIndex(where: { $0.number == number }) else { return nil }
            return pool.waiting.remove(at: position)
        }
        waiter?.continuation.resume(returning: nil)
    }

    private func release(_ index: Int) {
        let waiter = pool.withLock { pool -> Waiter? in
            if pool.waiting.isEmpty {
                pool.idle.append(index)
                return nil
            }
            return pool.waiting.removeFirst()
        }
        waiter?.continuation.resume(returning: index)
    }
}
