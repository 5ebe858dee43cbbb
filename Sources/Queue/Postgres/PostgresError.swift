import Foundation

/// A failure PostgreSQL (or libpq, before the server answered) reported: its SQLSTATE, its primary
/// message and the statement that failed. Bound values are never part of it (they travel apart from
/// the SQL, and the server's DETAIL line, which may quote them, is left out).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE (`40001`, `23505`), or nil when no server answer came.
    public let sqlState: String?
    public let message: String
    /// The SQL of the failed statement, if one failed.
    public let statement: String?
    /// The connection is gone: nothing more can be sent on it.
    package let connectionLost: Bool

    package init(sqlState: String?, message: String, statement: String?, connectionLost: Bool) {
        self.sqlState = sqlState
        self.message = message
        self.statement = statement
        self.connectionLost = connectionLost
    }

    public var description: String {
        let code = sqlState.map { "PostgreSQL \($0)" } ?? "PostgreSQL connection"
        let sql = statement.map { " (in: \(Self.oneLine($0)))" } ?? ""
        return "\(code): \(message)\(sql)"
    }

    /// A transaction that lost a serialization conflict or a deadlock: trying it again may succeed.
    package var isRetryableConflict: Bool {
        sqlState == "40001" || sqlState == "40P01"
    }

    /// A lock wait ran past `lock_timeout`.
    package var isLockTimeout: Bool {
        sqlState == "55P03"
    }

    /// The server is shutting down, or the connection broke: a new connection may succeed.
    package var isConnectionFailure: Bool {
        connectionLost || sqlState?.hasPrefix("08") == true || sqlState == "57P01" || sqlState == "57P02"
            || sqlState == "57P03"
    }

    private static func oneLine(_ sql: String) -> String {
        let words = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.count > 160 ? words.prefix(160) + "…" : words
    }
}
