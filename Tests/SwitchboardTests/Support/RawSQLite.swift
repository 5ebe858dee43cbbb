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

struct RawSQLiteError: Error {
    let message: String
}
