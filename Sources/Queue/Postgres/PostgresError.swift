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
    /// libpq refused the connection's settings before any server answered: a URL it cannot parse, or no
    /// password where the server asks for one.
    package let invalidSettings: Bool

    package init(
        sqlState: String?, message: String, statement: String?, connectionLost: Bool, invalidSettings: Bool = false
    ) {
        self.sqlState = sqlState
        self.message = message
        self.statement = statement
        self.connectionLost = connectionLost
        self.invalidSettings = invalidSettings
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
        guard !isConfigurationError else { return false }
        return connectionLost || sqlState?.hasPrefix("08") == true || sqlState == "57P01" || sqlState == "57P02"
            || sqlState == "57P03"
    }

    /// A connection refused for a reason no retry mends: a malformed URL or parameter, a missing password,
    /// a role or database the server does not know, a wrong password, no right to connect.
    package var isConfigurationError: Bool {
        invalidSettings || sqlState.map(Self.configurationStates.contains) == true
    }

    /// invalid_authorization_specification (no such role, no pg_hba.conf entry), invalid_password,
    /// invalid_catalog_name (no such database), insufficient_privilege (no CONNECT right).
    private static let configurationStates: Set<String> = ["28000", "28P01", "3D000", "42501"]

    private static func oneLine(_ sql: String) -> String {
        let words = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.count > 160 ? words.prefix(160) + "…" : words
    }
}
