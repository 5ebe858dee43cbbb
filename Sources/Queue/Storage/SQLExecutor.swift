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

/// Where SQLite's and PostgreSQL's SQL differ, for the statements written once for both.
package enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The table's name as a statement names it: PostgreSQL's tables live in the `switchboard` schema,
    /// named in full so no session setting (`search_path`, which a pooler would share) is needed.
    package func table(_ name: String) -> String {
        switch self {
        case .sqlite: name
        case .postgres: "switchboard." + name
        }
    }

    /// Appended to a `SELECT` whose rows the transaction goes on to change: it locks them on PostgreSQL;
    /// SQLite's writer holds the whole file already.
    package var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// Appended to a `SELECT` whose rows must not change before the transaction ends.
    package var forShare: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR SHARE"
        }
    }

    /// Appended to a `SELECT` of rows to delete in passing, skipping those another transaction holds.
    package var skipLocked: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE SKIP LOCKED"
        }
    }

    /// A time parameter of a statement run outside a transaction: `SQLReadTime.value` bound to it gives
    /// the store clock's reading, or (NULL, on PostgreSQL) the server's clock.
    package func time(_ parameter: Int) -> String {
        switch self {
        case .sqlite: "$\(parameter)"
        case .postgres: PostgresClockSQL.parameter(parameter)
        }
    }

    /// The test that a column's value is one of the integers of parameter `parameter`, bound as
    /// `SQLValue.integers`.
    package func isAny(ofIntegers parameter: Int) -> String {
        switch self {
        case .sqlite: "IN (SELECT value FROM json_each($\(parameter)))"
        case .postgres: "= ANY($\(parameter))"
        }
    }

    /// Text that may hold U+0000, as the column type the schema gives such text (read back with
    /// `StoredRow.unrestrictedText`): text on SQLite, its UTF-8 bytes on PostgreSQL.
    package func unrestrictedText(_ string: String) -> SQLValue {
        switch self {
        case .sqlite: .text(string)
        case .postgres: .blob(Data(string.utf8))
        }
    }
}

/// The time a read outside a write transaction is judged at, bound to `SQLDialect.time`.
package struct SQLReadTime: Sendable {
    package let value: SQLValue
}

/// What a backend gives the SQL written once for both databases: write transactions and reads that run
/// statements through `SQLExecutor`.
package protocol SQLTransactions: Sendable {
    /// Runs `body` in one write transaction, at `now`, the transaction's instant (read once the
    /// transaction holds SQLite's write lock; at PostgreSQL's BEGIN).
    func writeSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, _ now: Timestamp) throws -> T)
        async throws -> T
    /// Runs `body`'s reads: on SQLite in one read transaction; on PostgreSQL outside an explicit
    /// transaction, each statement in one round trip with a snapshot of its own (reads that must agree
    /// are written as one statement).
    func readSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, SQLReadTime) throws -> T) async throws
        -> T
}
