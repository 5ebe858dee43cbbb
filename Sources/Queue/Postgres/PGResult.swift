import CPostgres
import Foundation

/// One query result (`PGresult*`), cleared in `deinit`. Values come in PostgreSQL's text format.
package final class PGResult {
    fileprivate let handle: OpaquePointer
    /// The rows it holds.
    package let count: Int

    init(_ handle: OpaquePointer) {
        self.handle = handle
        count = Int(PQntuples(handle))
    }

    deinit {
        PQclear(handle)
    }

    /// The rows an INSERT, UPDATE or DELETE touched.
    package var affectedRows: Int {
        Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    package func rows<T>(_ transform: (PGRow) throws -> T) rethrows -> [T] {
        try (0..<count).map { try transform(PGRow(result: self, index: Int32($0))) }
    }

    package func first<T>(_ transform: (PGRow) throws -> T) rethrows -> T? {
        count > 0 ? try transform(PGRow(result: self, index: 0)) : nil
    }
}

/// One row of a `PGResult`, valid while the result is.
package struct PGRow: StoredRow {
    fileprivate let result: PGResult
    fileprivate let index: Int32

    package func isNull(_ column: Int) -> Bool {
        PQgetisnull(result.handle, index, Int32(column)) == 1
    }

    package func text(_ column: Int) -> String {
        String(cString: PQgetvalue(result.handle, index, Int32(column)))
    }

    package func optionalText(_ column: Int) -> String? {
        isNull(column) ? nil : text(column)
    }

    /// An integer column (`int2`, `int4`, `int8`, or an integral `numeric` such as `sum`'s).
    package func int64(_ column: Int) -> Int64 {
        optionalInt64(column) ?? 0
    }

    package func optionalInt64(_ column: Int) -> Int64? {
        isNull(column) ? nil : Int64(text(column))
    }

    package func bool(_ column: Int) -> Bool {
        text(column) == "t"
    }

    /// A `bytea` column, from its text form (`\x` and hex digits) through libpq's own decoder.
    package func optionalBlob(_ column: Int) -> Data? {
        isNull(column) ? nil : blob(column)
    }

    package func blob(_ column: Int) -> Data {
        guard !isNull(column), let value = PQgetvalue(result.handle, index, Int32(column)) else { return Data() }
        var length = 0
        guard let bytes = value.withMemoryRebound(to: UInt8.self, capacity: 1, { PQunescapeBytea($0, &length) })
        else { return Data() }
        defer { PQfreemem(bytes) }
        return Data(bytes: bytes, count: length)
    }

    /// Text stored as `bytea`: text that may hold U+0000, which PostgreSQL's `text` cannot.
    package func unrestrictedText(_ column: Int) -> String {
        String(decoding: blob(column), as: UTF8.self)
    }
}
