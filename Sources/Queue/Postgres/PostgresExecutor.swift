import Foundation

/// `SQLExecutor` over a PostgreSQL connection, inside a transaction or (for reads) outside one.
package struct PostgresExecutor: SQLExecutor {
    let connection: PGConnection
    let clock: any WallClock
    /// Whether times are the server's (`PostgresClockSQL`) rather than `clock`'s.
    let usesServerClock: Bool
    /// Whether the statements run in a transaction (a write's); a read's run one by one, outside any.
    let inTransaction: Bool

    package var dialect: SQLDialect { .postgres }

    @discardableResult
    package func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try connection.execute(sql, values.map(Self.parameter)).affectedRows
    }

    package func query<T>(_ sql: String, _ values: [SQLValue], row: (any StoredRow) throws -> T) throws -> [T] {
        try connection.execute(sql, values.map(Self.parameter)).rows(row)
    }

    package func executeDeferred(_ sql: String, _ values: [SQLValue]) throws {
        try requireTransaction("a deferred statement")
        connection.executeLater(sql, values.map(Self.parameter))
    }

    /// A transaction-level advisory lock on a 64-bit hash of `parts`.
    package func lock(_ parts: String...) throws {
        try requireTransaction("an advisory lock")
        try connection.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.text(parts.joined(separator: "\u{1F}"))])
    }

    package func currentTime() throws -> Timestamp {
        guard usesServerClock else { return clock.now() }
        guard let milliseconds = try connection.execute("SELECT \(PostgresClockSQL.current)").first({ $0.int64(0) })
        else {
            throw QueueError(.internal, "the server's clock could not be read: SELECT returned no row")
        }
        return Timestamp(millisecondsSince1970: milliseconds)
    }

    /// Outside a transaction a deferred statement would go out with another caller's on this pooled
    /// session, and a transaction-level lock would be released at once.
    private func requireTransaction(_ what: String) throws {
        guard inTransaction else {
            throw QueueError(.internal, "\(what) needs a write transaction; reads run outside one")
        }
    }

    /// The value sent in binary with its type; a NULL goes untyped, its type inferred by the server from
    /// where the statement uses it.
    static func parameter(_ value: SQLValue) -> PGValue {
        switch value {
        case .integer(let number): .int8(number)
        case .real(let number): .float8(number)
        case .text(let string): .text(string)
        case .blob(let data): .bytea(data)
        case .integers(let numbers): .int8Array(numbers)
        case .null: .null(.unknown)
        }
    }
}
