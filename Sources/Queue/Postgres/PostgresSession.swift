import Dispatch
import Foundation

/// One PostgreSQL connection reached from async code through its own serial dispatch queue; a
/// `PostgresDatabase` holds several.
///
/// libpq's calls block (network round trips, waiting for locks), so they run on this queue's thread,
/// never on Swift's cooperative pool. The connection is replaced when it breaks: a statement that fails
/// because the connection is gone is tried again on a new one (with backoff, for up to the lock
/// timeout), unless it was a COMMIT, whose outcome is then unknown and reported as such.
final class PostgresSession: @unchecked Sendable {
    // @unchecked Sendable: `connection` is touched only inside blocks on `queue`, which is serial.
    private let queue = DispatchQueue(label: "switchboard.postgres")
    private var connection: PGConnection?
    private let url: String
    private let settings: PostgresTransactionSettings
    private let reconnectTimeout: Duration

    /// How long a connection may sit idle before a one-round-trip write proves it with a round trip first.
    static let idleBeforeProof = Duration.seconds(5)

    /// How many times a transaction that lost a serialization conflict or a deadlock is tried.
    static let conflictAttempts = 20

    /// A session that connects when first used.
    ///
    /// - Parameters:
    ///   - settings: what each transaction sets for itself.
    ///   - reconnectTimeout: how long a broken connection is re-established before giving up.
    init(url: String, settings: PostgresTransactionSettings, reconnectTimeout: Duration) {
        self.url = url
        self.settings = settings
        self.reconnectTimeout = reconnectTimeout
    }

    /// Connects now, once (a wrong address or password fails at once, not after retries), and runs
    /// `prepare` on the new connection.
    func connect(prepare: @escaping @Sendable (PGConnection) throws -> Void) async throws {
        let url = self.url
        try await onQueue {
            let connection: PGConnection
            do {
                connection = try self.connect()
            } catch let error as PostgresError where error.isConnectionFailure {
                throw QueueError(
                    .unavailable, "cannot connect to PostgreSQL at \(StoreLocation.postgres(url: url))", cause: error)
            }
            try prepare(connection)
            self.connection = connection
        }
    }

    /// Runs `body`, reads, outside a transaction (each statement sees a snapshot of its own), on a healthy
    /// connection; a read-only store's runs in a read-only transaction, so that nothing it runs can write.
    /// - Parameter deadline: the caller's `StoreDeadline`: no new connection is tried after it.
    func perform<T: Sendable>(
        until deadline: ContinuousClock.Instant? = nil, _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        guard !settings.readOnly else {
            return try await read(until: deadline, readingServerTime: false) { connection, _ in try body(connection) }
        }
        return try await onQueue { try self.retrying(until: deadline, body) }
    }

    /// Runs `body` in a read-write transaction at READ COMMITTED, trying the whole transaction again when
    /// it loses a serialization conflict or a deadlock, or when the connection breaks before COMMIT.
    ///
    /// `body` may run more than once, so it must not have effects outside the database.
    /// - Parameter deadline: the caller's `StoreDeadline`: no new connection or attempt is tried after
    ///   it, and each statement is cancelled (`statement_timeout`) when it runs past it.
    /// - Throws: `QueueError.unavailable` when the connection broke during COMMIT (the outcome is
    ///   unknown) or cannot be re-established; `QueueError.contended` past the lock timeout.
    func write<T: Sendable>(
        until deadline: ContinuousClock.Instant? = nil, _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        try await write(until: deadline, readingServerTime: false) { connection, _ in try body(connection) }
    }

    /// `write`, with the server's clock read by the BEGIN itself, in the same round trip: `body` gets the
    /// transaction's `now()` in milliseconds since 1970 when `readingServerTime`, else nil.
    func write<T: Sendable>(
        until deadline: ContinuousClock.Instant? = nil, readingServerTime: Bool,
        _ body: @escaping @Sendable (PGConnection, Int64?) throws -> T
    ) async throws -> T {
        try await write(until: deadline, readingServerTime: readingServerTime, alsoSelecting: []) {
            connection, opened in try body(connection, opened.serverTime)
        }
    }

    /// `write`, with `expressions` evaluated by the BEGIN's round trip too (reads the body would
    /// otherwise send first, such as ids from a sequence): `body` gets their values as text.
    func write<T: Sendable>(
        until deadline: ContinuousClock.Instant? = nil, readingServerTime: Bool, alsoSelecting expressions: [String],
        _ body: @escaping @Sendable (PGConnection, OpenedTransaction) throws -> T
    ) async throws -> T {
        try await transaction(
            mode: "", until: deadline, readingServerTime: readingServerTime, alsoSelecting: expressions, body)
    }

    /// Runs `statements` as one transaction sent in one round trip (BEGIN with this store's settings, the
    /// statements, COMMIT, pipelined), for a write that needs nothing from the server before it is
    /// written; returns what `reading` makes of the statements' results, which must be a status or a few
    /// rows each.
    ///
    /// A connection the server has closed while idle is replaced before anything is sent, and one idle
    /// longer than `idleBeforeProof` is proved by a round trip first. Once sent, the
    /// transaction is not tried again on another connection: when this one breaks, whether it committed is
    /// unknown. A conflict (the server rolled the transaction back) is tried again.
    /// - Parameter deadline: as `write`'s.
    /// - Throws: `QueueError.unavailable` when the connection broke after the statements were sent (the
    ///   outcome is unknown) or cannot be re-established; `QueueError.contended` past the lock timeout.
    func writeInOneRoundTrip<T: Sendable>(
        until deadline: ContinuousClock.Instant? = nil, _ statements: [PGStatement],
        reading: @escaping @Sendable ([PGResult]) throws -> T
    ) async throws -> T {
        let settings = self.settings
        return try await onQueue {
            try self.retrying(until: deadline) { connection in
                let statementTimeout = deadline.map(StoreDeadline.remaining(until:))
                let opening = settings.openingStatements(statementTimeout: statementTimeout).map {
                    PGStatement(sql: $0, parameters: [])
                }
                let commit = PGStatement(sql: "COMMIT", parameters: [])
                // A connection idle for a while may have been dropped silently (a NAT, a pooler's idle
                // timeout): one round trip proves it first, and a failure there is retried on a new one, as a
                // BEGIN's would be, before anything is sent that could be committed.
                if ContinuousClock.now - connection.lastUsed > Self.idleBeforeProof {
                    try connection.execute("SELECT 1")
                }
                let results: [PGResult]
                do throws(PostgresError) {
                    results = try connection.executeInOneRoundTrip(opening + statements + [commit])
                } catch let error where error.isConnectionFailure {
                    throw Self.commitOutcomeUnknown(error)
                } catch {
                    // A failed statement leaves the transaction open and aborted: the server skipped its COMMIT.
                    Self.rollBack(connection)
                    throw error
                }
                return try reading(Array(results.dropFirst(opening.count).prefix(statements.count)))
            }
        }
    }

    /// Runs `body` in a read-only transaction that sees one snapshot, with the server's clock as `write`
    /// reads it.
    func read<T: Sendable>(
        until deadline: ContinuousClock.Instant? = nil, readingServerTime: Bool,
        _ body: @escaping @Sendable (PGConnection, Int64?) throws -> T
    ) async throws -> T {
        try await transaction(
            mode: "ISOLATION LEVEL REPEATABLE READ READ ONLY", until: deadline, readingServerTime: readingServerTime,
            alsoSelecting: []
        ) { connection, opened in try body(connection, opened.serverTime) }
    }

    /// Runs `body` in a transaction opened with `mode` on this session's queue, tried again as `retrying`
    /// says.
    private func transaction<T: Sendable>(
        mode: String, until deadline: ContinuousClock.Instant?, readingServerTime: Bool, alsoSelecting: [String],
        _ body: @escaping @Sendable (PGConnection, OpenedTransaction) throws -> T
    ) async throws -> T {
        let settings = self.settings
        return try await onQueue {
            try self.retrying(until: deadline) {
                try Self.transaction(
                    $0, settings: settings, mode: mode, until: deadline, readingServerTime: readingServerTime,
                    alsoSelecting: alsoSelecting, body)
            }
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func transaction<T>(
        _ connection: PGConnection, settings: PostgresTransactionSettings, mode: String,
        until deadline: ContinuousClock.Instant?, readingServerTime: Bool, alsoSelecting: [String],
        _ body: (PGConnection, OpenedTransaction) throws -> T
    ) throws -> T {
        let opened = try Self.openTransaction(
            connection, settings: settings, mode: mode, until: deadline, readingServerTime: readingServerTime,
            alsoSelecting: alsoSelecting)
        let value: T
        do {
            value = try body(connection, opened)
        } catch {
            rollBack(connection)
            throw error
        }
        // The COMMIT carries the writes the body queued (`executeLater`): one of them may fail here, and
        // the server then skips the COMMIT, leaving the transaction to roll back.
        do {
            try connection.execute("COMMIT")
        } catch let error where error.isConnectionFailure {
            throw commitOutcomeUnknown(error)
        } catch {
            rollBack(connection)
            throw error
        }
        return value
    }

    /// The error for a connection that broke after a transaction's COMMIT was sent.
    private static func commitOutcomeUnknown(_ error: PostgresError) -> QueueError {
        QueueError(
            .unavailable,
            "the connection to PostgreSQL broke while a transaction was committing; whether it committed is unknown",
            cause: error)
    }

    /// Ends a failed transaction, dropping the writes it queued, unless the connection is gone with it.
    private static func rollBack(_ connection: PGConnection) {
        connection.discardDeferred()
        if connection.isHealthy {
            _ = try? connection.execute("ROLLBACK")
        }
    }

    /// Sends `settings`' opening of a transaction (one round trip); under a deadline, each statement of the
    /// transaction is bounded by the time left (`statement_timeout`). Reads the server's clock when
    /// `readingServerTime`, and the values of `alsoSelecting`.
    private static func openTransaction(
        _ connection: PGConnection, settings: PostgresTransactionSettings, mode: String,
        until deadline: ContinuousClock.Instant?, readingServerTime: Bool, alsoSelecting: [String]
    ) throws -> OpenedTransaction {
        let statementTimeout = deadline.map(StoreDeadline.remaining(until:))
        let began = try connection.executeScript(
            settings.opening(
                mode, statementTimeout: statementTimeout, readingServerTime: readingServerTime,
                alsoSelecting: alsoSelecting))
        let columns = settings.openingColumns(statementTimeout: statementTimeout)
        guard
            let opened = began.first({ row in
                OpenedTransaction(
                    serverTime: row.optionalInt64(0),
                    values: alsoSelecting.indices.map { row.optionalText(columns + $0) })
            })
        else {
            throw QueueError(.internal, "PostgreSQL did not answer the opening of a transaction")
        }
        if readingServerTime && opened.serverTime == nil {
            throw QueueError(.internal, "PostgreSQL did not say what time it is")
        }
        return opened
    }

    /// Runs `attempt` on the connection, replacing a broken connection and retrying conflicts, until the
    /// reconnect timeout or the caller's deadline, whichever comes first.
    private func retrying<T>(until callerDeadline: ContinuousClock.Instant?, _ attempt: (PGConnection) throws -> T)
        throws -> T
    {
        var deadline = ContinuousClock.now + reconnectTimeout
        if let callerDeadline, callerDeadline < deadline {
            deadline = callerDeadline
        }
        var conflicts = 0
        var backoff = Duration.milliseconds(50)
        while true {
            do {
                return try attempt(try healthyConnection())
            } catch let error as PostgresError where error.isRetryableConflict {
                conflicts += 1
                guard conflicts < Self.conflictAttempts else {
                    throw QueueError(
                        .contended, "the transaction kept meeting conflicting ones through \(conflicts) attempts",
                        cause: error)
                }
                usleep(UInt32.random(in: 500...2_000) * UInt32(min(conflicts, 10)))
            } catch let error as PostgresError where error.isLockTimeout {
                throw QueueError(.contended, "a lock stayed held past the lock timeout", cause: error)
            } catch let error as PostgresError where error.isConnectionFailure {
                connection = nil
                guard ContinuousClock.now + backoff < deadline else {
                    throw QueueError(.unavailable, "PostgreSQL cannot be reached", cause: error)
                }
                usleep(UInt32(backoff.seconds * 1_000_000))
                backoff = min(backoff * 2, .seconds(2))
            }
        }
    }

    /// The connection, or a new one when it has broken; a failed attempt throws for `retrying` to judge.
    private func healthyConnection() throws -> PGConnection {
        if let connection, connection.isHealthy, !connection.heardFromWhileIdle {
            return connection
        }
        connection = nil
        let fresh = try connect()
        connection = fresh
        return fresh
    }

    private func connect() throws -> PGConnection {
        try Self.open(url)
    }

    /// A new connection; settings the server refuses become `QueueError.misconfigured`, which no retry
    /// here waits on.
    private static func open(_ url: String) throws -> PGConnection {
        do {
            return try PGConnection(url: url)
        } catch {
            guard error.isConfigurationError else { throw error }
            throw QueueError(
                .misconfigured,
                "cannot connect to PostgreSQL at \(StoreLocation.postgres(url: url)): a connection setting is wrong, "
                    + "and trying again will not mend it",
                cause: error)
        }
    }
}

/// What a transaction's opening round trip read.
package struct OpenedTransaction: Sendable {
    /// The server's clock at the transaction's start, in milliseconds since 1970, when it was asked for.
    package var serverTime: Int64?
    /// The values of the expressions asked for besides, in their order, as text.
    package var values: [String?]
}
