import Foundation

/// Statements run inside one of a store's transactions, the same calls on both backends: SQL written once
/// (with `$1`-style parameters, which both databases read) runs on either, and `dialect` supplies the few
/// places where the two differ.
package protocol SQLExecutor {
    var dialect: SQLDialect { get }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue]) throws -> Int
    /// Runs a query and maps each row.
    func query<T>(_ sql: String, _ values: [SQLValue], row: (any StoredRow) throws -> T) throws -> [T]
    /// Runs a write whose result does not matter unless it fails: on PostgreSQL it goes to the server with
    /// the transaction's next statement (its COMMIT at the latest), in that round trip, and its failure is
    /// thrown there; on SQLite it runs now.
    func executeDeferred(_ sql: String, _ values: [SQLValue]) throws
    /// Serialises the transactions that name the same `parts` (a purpose and the values it covers) until
    /// each ends: a transaction-level advisory lock on PostgreSQL; nothing on SQLite, whose single writer
    /// already runs write transactions one at a time.
    func lock(_ parts: String...) throws
    /// The time as it reads now, inside the transaction: for a rule judged only once a row lock is held.
    func currentTime() throws -> Timestamp
}

extension SQLExecutor {
    /// Runs a query and maps its first row, if any.
    package func queryFirst<T>(_ sql: String, _ values: [SQLValue], row: (any StoredRow) throws -> T) throws -> T? {
        try query(sql, values, row: row).first
    }

    /// The first column of the first row as an integer; nil when there is no row or the value is NULL.
    package func integer(_ sql: String, _ values: [SQLValue]) throws -> Int64? {
        try queryFirst(sql, values) { $0.optionalInt64(0) } ?? nil
    }
}
