import CPostgres
import Foundation

/// One libpq connection (`PGconn*`), closed in `deinit`.
///
/// Not thread-safe, and its calls block: it is used only on its owner's serial dispatch queue (or the
/// listener's own thread), never on Swift's cooperative pool.
package final class PGConnection {
    private let handle: OpaquePointer

    /// Connects to `url` (`postgres://...` or `postgresql://...`).
    /// - Throws: `PostgresError` with libpq's message (which names the host, never the password).
    package init(url: String) throws(PostgresError) {
        guard let handle = PQconnectdb(url) else {
            throw PostgresError(sqlState: nil, message: "out of memory", statement: nil, connectionLost: true)
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(sqlState: nil, message: message, statement: nil, connectionLost: true)
        }
        // The server's notices (NOTICE: drop cascades to ...) are not Switchboard's output.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        self.handle = handle
    }

    deinit {
        PQfinish(handle)
    }

    /// False once the connection has broken; a broken connection is replaced, never reused.
    package var isHealthy: Bool {
        PQstatus(handle) == CONNECTION_OK
    }

    /// The server's version as a number (150020 for 15.20).
    package var serverVersion: Int {
        Int(PQserverVersion(handle))
    }

    /// The socket, for waiting on notifications.
    package var socket: Int32 {
        PQsocket(handle)
    }

    /// Runs one statement with `parameters` bound in binary form.
    /// - Throws: `PostgresError` carrying the SQLSTATE, the message and `sql`.
    @discardableResult
    package func execute(_ sql: String, _ parameters: [PGValue] = []) throws(PostgresError) -> PGResult {
        let encoded = parameters.map(\.encoded)
        let buffers: [UnsafePointer<CChar>?] = encoded.map { bytes in
            bytes.map { bytes in
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
                bytes.withUnsafeBytes { source in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress!, byteCount: bytes.count)
                }
                return UnsafePointer(buffer)
            }
        }
        defer {
            for buffer in buffers {
                buffer.map { UnsafeMutablePointer(mutating: $0).deallocate() }
            }
        }
        let types = parameters.map(\.type.oid)
        let lengths = encoded.map { Int32($0?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: parameters.count)
        let result = PQexecParams(handle, sql, Int32(parameters.count), types, buffers, lengths, formats, 0)
        return try checked(result, sql: sql)
    }

    /// Runs statements separated by semicolons, with no parameters, in one round trip (migrations, a
    /// BEGIN that also reads the clock); returns the last statement's result.
    @discardableResult
    package func executeScript(_ sql: String) throws(PostgresError) -> PGResult {
        try checked(PQexec(handle, sql), sql: sql)
    }

    /// Reads what the server has sent without blocking, and returns the channel of each notification
    /// that arrived.
    /// - Throws: `PostgresError` when the connection has broken.
    package func takeNotifications() throws(PostgresError) -> [String] {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError(
                sqlState: nil, message: Self.message(PQerrorMessage(handle)), statement: nil, connectionLost: true)
        }
        var channels: [String] = []
        while let notification = PQnotifies(handle) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }

    private func checked(_ result: OpaquePointer?, sql: String) throws(PostgresError) -> PGResult {
        guard let result else {
            throw PostgresError(
                sqlState: nil, message: Self.message(PQerrorMessage(handle)), statement: sql,
                connectionLost: !isHealthy)
        }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            let message = primary ?? Self.message(PQresultErrorMessage(result))
            PQclear(result)
            throw PostgresError(sqlState: sqlState, message: message, statement: sql, connectionLost: !isHealthy)
        }
        return PGResult(result)
    }

    private static func message(_ text: UnsafePointer<CChar>?) -> String {
        let message = text.map { String(cString: $0) } ?? ""
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "the server gave no reason" : trimmed
    }
}
