import CSQLite

/// Runs SQL through a plain SQLite connection of the test's own, as another program would: the one way
/// tests reach a database behind the store's back.
enum RawSQLite {
    static func run(_ sql: String, at path: String) throws {
        var handle: OpaquePointer?
        defer { sqlite3_close(handle) }
        guard sqlite3_open(path, &handle) == SQLITE_OK else {
            throw RawSQLiteError(message: "open \(path): \(String(cString: sqlite3_errmsg(handle)))")
        }
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
