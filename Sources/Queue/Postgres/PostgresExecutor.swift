import Foundation

/// `SQLExecutor` over a PostgreSQL connection, inside a transaction or (for reads) outside one.
package struct PostgresExecutor: SQLExecutor {
    let connection: PGConnection
    let clock: any WallClock
    /// Whether times are the server's (`PostgresClockSQL`) rather than `clock`'s.
    let usesServerClock: Bool

    package var dialect: SQLDialect { .postgres }

    @discardableResult
    package func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try connection.execute(sql, values.map(Self.parameter)).affectedRows
    }

    package func query<T>(_ sql: String, _ values: [SQLValue], row: (any StoredRow) throws -> T) throws -> [T] {
        try connection.execute(sql, values.map(Self.parameter)).rows(row)
    }

    package func executeDeferred(_ sql: String, _ values: [SQLValue]) throws {
        connection.executeLater(sql, values.map(Self.parameter))
    }

    /// A transaction-level advisory lock on a 64-bit hash of `parts`.
    package func lock(_ parts: String...) throws {
        try connection.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.text(parts.joined(separator: "\u{1F}"))])
    }

    package func currentTime() throws -> Timestamp {
        guard usesServerClock else { return clock.now() }
        let milliseconds = try connection.execute("SELECT \(PostgresClockSQL.current)").first { $0.int64(0) }
        return Timestamp(millisecondsSince1970: milliseconds ?? 0)
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
