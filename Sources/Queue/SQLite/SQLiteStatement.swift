import CSQLite
import Foundation

/// One prepared statement (`sqlite3_stmt*`), owned by the connection that prepared it.
///
/// Not thread-safe: it is used only on its connection's serial queue. It is finalized in `deinit`.
package final class SQLiteStatement {
    private let handle: OpaquePointer
    /// The connection's handle, for error messages; the connection outlives its statements.
    private let connection: OpaquePointer
    let sql: String
    /// For each parameter index (from 1), the offset of the value bound to it. SQLite numbers `$N`
    /// parameters in the order they first appear, not by N, so SQL written for both databases (`$1`,
    /// which PostgreSQL reads by number) is bound by each parameter's name. Empty for `?N` and `?`.
    private let valueOffsets: [Int]
    /// How many values a `$N` statement takes: its highest N.
    private let valueCount: Int

    init(connection: OpaquePointer, sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw SQLiteConnection.error(code: code, handle: connection, sql: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
        do {
            valueOffsets = try Self.valueOffsets(statement, sql: sql)
            valueCount = (valueOffsets.max() ?? -1) + 1
        } catch {
            sqlite3_finalize(statement)
            throw error
        }
    }

    private static func valueOffsets(_ statement: OpaquePointer, sql: String) throws -> [Int] {
        let count = sqlite3_bind_parameter_count(statement)
        guard count > 0, let first = sqlite3_bind_parameter_name(statement, 1), first.pointee == UInt8(ascii: "$")
        else { return [] }
        return try (1...count).map { index in
            guard let name = sqlite3_bind_parameter_name(statement, index).map(String.init(cString:)),
                name.hasPrefix("$"), let number = Int(name.dropFirst()), number >= 1
            else {
                throw QueueError(.internal, "statement mixes $N parameters with others: \(sql)")
            }
            return number - 1
        }
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to its parameters, in order.
    func bind(_ values: [SQLValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        if valueOffsets.isEmpty {
            for (offset, value) in values.enumerated() {
                try bind(value, at: Int32(offset + 1))
            }
        } else {
            // PostgreSQL refuses a statement given more or fewer values than its $N name: so does this.
            guard values.count == valueCount else {
                throw QueueError(.internal, "a statement takes \(valueCount) values, was given \(values.count): \(sql)")
            }
            for (position, offset) in valueOffsets.enumerated() {
                try bind(values[offset], at: Int32(position + 1))
            }
        }
    }

    private func bind(_ value: SQLValue, at index: Int32) throws {
        let code: Int32
        switch value {
        case .integer(let number):
            code = sqlite3_bind_int64(handle, index, number)
        case .real(let number):
            code = sqlite3_bind_double(handle, index, number)
        case .text(let string):
            code = bindText(string, at: index)
        case .integers(let numbers):
            code = bindText("[" + numbers.map(String.init).joined(separator: ",") + "]", at: index)
        case .blob(let data):
            code = data.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(handle, index, bytes.baseAddress, UInt64(bytes.count), sb_sqlite_transient())
            }
        case .null:
            code = sqlite3_bind_null(handle, index)
        }
        try SQLiteConnection.check(code, handle: connection, sql: sql)
    }

    /// Binds text by byte count, not up to a NUL: text may hold U+0000 (JSON allows it), and stopping there
    /// would truncate it silently.
    private func bindText(_ string: String, at index: Int32) -> Int32 {
        var string = string
        return string.withUTF8 { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite3_bind_text(handle, index, "", 0, sb_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { characters in
                sqlite3_bind_text64(
                    handle, index, characters, UInt64(bytes.count), sb_sqlite_transient(), UInt8(SQLITE_UTF8))
            }
        }
    }

    /// Advances to the next row: true while there is one, false when the statement is done.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            sqlite3_reset(handle)
            throw SQLiteConnection.error(code: code, handle: connection, sql: sql)
        }
    }

    /// Releases the statement's read snapshot and locks so the connection can commit.
    func reset() {
        sqlite3_reset(handle)
    }

    package func isNull(_ column: Int) -> Bool {
        sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL
    }

    package func int64(_ column: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(column))
    }

    package func optionalInt64(_ column: Int) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    package func text(_ column: Int) -> String {
        guard let bytes = sqlite3_column_text(handle, Int32(column)) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    package func optionalText(_ column: Int) -> String? {
        isNull(column) ? nil : text(column)
    }

    package func optionalBlob(_ column: Int) -> Data? {
        isNull(column) ? nil : blob(column)
    }

    package func blob(_ column: Int) -> Data {
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        guard count > 0, let bytes = sqlite3_column_blob(handle, Int32(column)) else { return Data() }
        return Data(bytes: bytes, count: count)
    }
}

extension SQLiteStatement: StoredRow {
    /// SQLite's text holds U+0000 (text is bound and read by byte count).
    package func unrestrictedText(_ column: Int) -> String {
        text(column)
    }
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}
