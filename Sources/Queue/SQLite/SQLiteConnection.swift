import CSQLite
import Foundation

/// One SQLite connection (`sqlite3*`) and its cache of prepared statements.
///
/// Not thread-safe: `Database` owns it and reaches it only from one serial queue.
package final class SQLiteConnection {
    /// How the file is opened.
    enum OpenMode {
        /// Create the file when it does not exist.
        case createIfMissing
        /// Fail when the file does not exist.
        case mustExist
        /// Fail when the file does not exist, and never write to it.
        case readOnly
    }

    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    /// Opened on the first write transaction, so a connection that only reads creates no file.
    private var turnstile: WriteTurnstile?
    let path: String
    /// How long one write transaction waits for the write turnstile.
    private let lockTimeout: Duration

    /// Applies process-wide settings before the first connection; `sqlite3_config` fails after that.
    private static let configured: Void = {
        _ = sb_sqlite_configure()
    }()

    /// Opens `path`. A write waits up to `lockTimeout` for the other Switchboard writers (the turnstile),
    /// and a statement that meets another program's lock waits up to `busyTimeout` for it.
    init(path: String, mode: OpenMode, lockTimeout: Duration, busyTimeout: Duration) throws {
        Self.configured
        var flags: Int32 =
            switch mode {
            case .createIfMissing: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
            case .mustExist: SQLITE_OPEN_READWRITE
            case .readOnly: SQLITE_OPEN_READONLY
            }
        flags |= SQLITE_OPEN_NOMUTEX
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = Self.error(code: code, handle: connection, sql: nil)
            // A failed open may still allocate a handle; close it before throwing.
            sqlite3_close_v2(connection)
            throw error
        }
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, Int32(clamping: busyTimeout.wholeMilliseconds))
        self.handle = connection
        self.path = path
        self.lockTimeout = lockTimeout
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The one check every SQLite call that answers `SQLITE_OK` on success goes through.
    static func check(_ code: Int32, handle: OpaquePointer?, sql: String?) throws {
        guard code == SQLITE_OK else {
            throw error(code: code, handle: handle, sql: sql)
        }
    }

    /// Builds the error for a failed call on `handle`, reading SQLite's message at once.
    static func error(code: Int32, handle: OpaquePointer?, sql: String?) -> SQLiteError {
        let message =
            handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? code
        return SQLiteError(resultCode: code & 0xff, extendedCode: extended, message: message, sql: sql)
    }

    /// Runs one or more statements that bind nothing and return nothing (pragmas, DDL, BEGIN/COMMIT).
    package func executeScript(_ sql: String) throws {
        try Self.check(sqlite3_exec(handle, sql, nil, nil, nil), handle: handle, sql: sql)
    }

    /// The cached prepared statement for `sql`, prepared on first use.
    package func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] {
            return cached
        }
        let statement = try SQLiteStatement(connection: handle, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    package func execute(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        let statement = try self.statement(sql)
        try statement.bind(values)
        defer { statement.reset() }
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and maps each row.
    package func query<Row>(_ sql: String, _ values: [SQLValue] = [], row: (SQLiteStatement) throws -> Row) throws
        -> [Row]
    {
        let statement = try self.statement(sql)
        try statement.bind(values)
        defer { statement.reset() }
        var rows: [Row] = []
        while try statement.step() {
            rows.append(try row(statement))
        }
        return rows
    }

    /// Runs a query and maps its first row, if any.
    package func queryFirst<Row>(_ sql: String, _ values: [SQLValue] = [], row: (SQLiteStatement) throws -> Row) throws
        -> Row?
    {
        let statement = try self.statement(sql)
        try statement.bind(values)
        defer { statement.reset() }
        return try statement.step() ? row(statement) : nil
    }

    /// The first column of the first row as an integer; nil when there is no row or the value is NULL.
    package func integer(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
        try queryFirst(sql, values) { $0.optionalInt64(0) } ?? nil
    }

    /// The rowid of the last successful INSERT on this connection.
    package var lastInsertRowID: Int64 {
        sqlite3_last_insert_rowid(handle)
    }

    /// False while a transaction is open.
    var isAutocommit: Bool {
        sqlite3_get_autocommit(handle) != 0
    }

    /// Runs `body` in a write transaction opened with `BEGIN IMMEDIATE`, holding the write turnstile.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, waiting in the busy handler if needed. A deferred
    /// transaction that reads first and writes later would have to upgrade its lock, and an upgrade that
    /// meets another writer fails with `SQLITE_BUSY` at once: no busy timeout can rescue it.
    ///
    /// - Parameter deadline: the caller's `StoreDeadline`: the turnstile is waited for until then at most.
    func writeTransaction<T>(until deadline: ContinuousClock.Instant? = nil, _ body: () throws -> T) throws -> T {
        if turnstile == nil {
            turnstile = try WriteTurnstile(databasePath: path)
        }
        let wait = deadline.map { min(lockTimeout, StoreDeadline.remaining(until: $0)) } ?? lockTimeout
        return try turnstile!.withTurn(waitingAtMost: wait) {
            try executeScript("BEGIN IMMEDIATE")
            return try finishTransaction(body)
        }
    }

    /// Runs `body` in a read transaction: one consistent snapshot for all its queries.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try executeScript("BEGIN DEFERRED")
        return try finishTransaction(body)
    }

    private func finishTransaction<T>(_ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            try executeScript("COMMIT")
            return result
        } catch {
            if !isAutocommit {
                try? executeScript("ROLLBACK")
            }
            throw error
        }
    }
}

@available(*, unavailable)
extension SQLiteConnection: Sendable {}
