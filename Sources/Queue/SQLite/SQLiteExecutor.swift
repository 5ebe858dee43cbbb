/// `SQLExecutor` over a SQLite connection inside one of its transactions.
package struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection
    let clock: any WallClock

    package var dialect: SQLDialect { .sqlite }

    @discardableResult
    package func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try connection.execute(sql, values)
    }

    package func query<T>(_ sql: String, _ values: [SQLValue], row: (any StoredRow) throws -> T) throws -> [T] {
        try connection.query(sql, values, row: row)
    }

    package func executeDeferred(_ sql: String, _ values: [SQLValue]) throws {
        try connection.execute(sql, values)
    }

    /// Nothing to take: the transaction is SQLite's one writer.
    package func lock(_ parts: String...) throws {}

    package func currentTime() throws -> Timestamp {
        clock.now()
    }
}
