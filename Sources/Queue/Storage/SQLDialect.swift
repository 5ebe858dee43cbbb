import Foundation

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
