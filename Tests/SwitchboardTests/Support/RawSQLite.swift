import CSQLite

/// Runs SQL through a plain SQLite connection of the test's own, as another program would: the one way
/// tests reach a database behind the store's back.
enum RawSQLite {
    /// How long a statement waits for a lock the store holds before failing with "database is locked".
    static let waitForLocksMilliseconds: Int32 = 10_000

    static func run(_ sql: String, at path: String) throws {
        var handle: OpaquePointer?
        defer { sqlite3_close(handle) }
        guard sqlite3_open(path, &handle) == SQLITE_OK else {
            throw RawSQLiteError(message: "open \(path): \(String(cString: sqlite3_errmsg(handle)))")
        }
        // Another program waits for the store's transactions to end, as the store waits for others'.
        sqlite3_busy_timeout(handle, waitForLocksMilliseconds)
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw RawSQLiteError(message: String(cString: sqlite3_errmsg(handle)))
        }
    }
}

extension RawSQLite {
    /// The first column of the first row of a query.
    static func integer(_ sql: String, at path: String) throws -> Int64 {
        var handle: OpaquePointer?
        var statement: OpaquePointer?
        defer {
            sqlite3_finalize(statement)
            sqlite3_close(handle)
        }
        guard sqlite3_open(path, &handle) == SQLITE_OK,
            sqlite3_busy_timeout(handle, waitForLocksMilliseconds) == SQLITE_OK,
            sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK,
            sqlite3_step(statement) == SQLITE_ROW
        else {
            throw RawSQLiteError(message: String(cString: sqlite3_errmsg(handle)))
        }
        return sqlite3_column_int64(statement, 0)
    }
}

struct RawSQLiteError: Error {
    let message: String
}
