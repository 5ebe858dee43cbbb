import CSQLite

/// A failed SQLite call: the result codes, SQLite's message and the statement that failed.
///
/// Bound values never appear here: they may hold message text, tokens or user ids.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, ...).
    public let resultCode: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_IOERR_FSYNC`, ...).
    public let extendedCode: Int32
    /// SQLite's own explanation, as `sqlite3_errmsg` gave it.
    public let message: String
    /// The SQL whose preparation or execution failed, if there was one.
    public let sql: String?

    init(resultCode: Int32, extendedCode: Int32, message: String, sql: String?) {
        self.resultCode = resultCode
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// True when another connection holds a lock this one needs: worth retrying the whole transaction.
    public var isContention: Bool {
        resultCode == SQLITE_BUSY || resultCode == SQLITE_LOCKED
    }

    /// True when the file cannot be opened, read or written, or is not a database at all.
    public var isStorageFailure: Bool {
        [SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_READONLY, SQLITE_FULL, SQLITE_PERM]
            .contains(resultCode)
    }

    public var description: String {
        var text = "SQLite error \(resultCode) (extended \(extendedCode)): \(message)"
        if let sql {
            text += " [while running: \(sql)]"
        }
        return text
    }
}
