import CPostgres
import Foundation

/// One libpq connection (`PGconn*`), closed in `deinit`.
///
/// Not thread-safe, and its calls block: it is used only on its owner's serial dispatch queue (or the
/// listener's own thread), never on Swift's cooperative pool.
package final class PGConnection {
    private let handle: OpaquePointer
    /// Writes queued by `executeLater`, sent with the next statement.
    private var deferred: [PGStatement] = []

    /// Connects to `url` (`postgres://...` or `postgresql://...`).
    /// - Throws: `PostgresError` with libpq's message, from which every form of the URL's password is
    ///   removed (libpq quotes a malformed URL's parts, password included), and, when the server refused
    ///   the connection, its SQLSTATE.
    package init(url: String) throws(PostgresError) {
        let passwords = StoreLocation.postgres(url: url).passwordForms
        // libpq's own parser says whether the URL is well-formed: a failure here is a setting to fix, which
        // the failed connection below could not tell from a server that is down.
        var parseError: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(url, &parseError) else {
            let message = Self.message(parseError, hiding: passwords)
            PQfreemem(parseError)
            throw PostgresError(
                sqlState: nil, message: message, statement: nil, connectionLost: true, invalidSettings: true)
        }
        PQconninfoFree(parsed)
        // The name is a connection parameter, not a SET: a transaction-mode pooler (PgBouncer) keeps it per
        // client, where a SET would stay on the server connection it hands to the next client. A name the
        // URL gives (application_name=...) wins over this fallback.
        let keywords = ["dbname", "fallback_application_name"]
        let values = [url, Self.applicationName]
        let handle = keywords.withCStrings { keywords in
            values.withCStrings { values in PQconnectStartParams(keywords, values, 1) }
        }
        guard let handle else {
            throw PostgresError(sqlState: nil, message: "out of memory", statement: nil, connectionLost: true)
        }
        // A failed connection has no result to read the server's SQLSTATE from: only the verbose message
        // carries it ("FATAL:  3D000: database ... does not exist"). Set before the server can answer.
        PQsetErrorVerbosity(handle, PQERRORS_VERBOSE)
        if let failure = Self.finishConnecting(handle, passwords: passwords) {
            PQfinish(handle)
            throw failure
        }
        PQsetErrorVerbosity(handle, PQERRORS_DEFAULT)
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

    /// When the connection last finished a round trip.
    private(set) var lastUsed = ContinuousClock.now

    /// True when the server has sent something while the connection sat idle between statements: on a
    /// connection that listens for nothing, that is the server saying goodbye (a restart, an
    /// administrator's termination, an idle timeout) before it closes. Looks at the socket without
    /// waiting. A silent network failure is not seen here; the next statement finds it.
    package var heardFromWhileIdle: Bool {
        var socket = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        return poll(&socket, 1, 0) != 0
    }

    /// The server's version as a number (150020 for 15.20).
    package var serverVersion: Int {
        Int(PQserverVersion(handle))
    }

    /// How Switchboard's connections name themselves to the server (`pg_stat_activity`), unless the URL
    /// names them.
    package static let applicationName = "switchboard pid \(getpid())"

    /// Whether the connection reaches a PostgreSQL backend through a connection pooler: the process id
    /// the connection was given at start-up is not the backend's own. PgBouncer hands out cancel keys of
    /// its own, so its clients never see a backend's id; a direct connection always does.
    package func isPooled() throws(PostgresError) -> Bool {
        let backend = try execute("SELECT pg_backend_pid()").first { $0.int64(0) }
        return backend != Int64(PQbackendPID(handle))
    }

    /// The socket, for waiting on notifications.
    package var socket: Int32 {
        PQsocket(handle)
    }

    /// Runs one statement with `parameters` bound in binary form; statements queued by `executeLater` go
    /// first, in the same round trip.
    /// - Throws: `PostgresError` carrying the SQLSTATE, the message and the statement that failed, which
    ///   may be one of the queued ones.
    @discardableResult
    package func execute(_ sql: String, _ parameters: [PGValue] = []) throws(PostgresError) -> PGResult {
        let statement = PGStatement(sql: sql, parameters: parameters)
        guard deferred.isEmpty else {
            let statements = deferred + [statement]
            deferred = []
            return try pipeline(statements).last!
        }
        let result = statement.withLibpqParameters { count, types, values, lengths, formats in
            PQexecParams(handle, sql, count, types, values, lengths, formats, 0)
        }
        return try checked(result, sql: sql)
    }

    /// Queues a write whose result does not matter unless it fails, to be sent with the next `execute`
    /// (a transaction's COMMIT at the latest) in one round trip: a batch's job rows, history and pruning
    /// cost no round trip of their own. Its failure is thrown by that `execute`.
    package func executeLater(_ sql: String, _ parameters: [PGValue] = []) {
        deferred.append(PGStatement(sql: sql, parameters: parameters))
    }

    /// Drops the statements `executeLater` queued, unsent: their transaction is being rolled back.
    package func discardDeferred() {
        deferred = []
    }

    /// Sends `statements` in one round trip (libpq's pipeline mode) and returns each one's result, in
    /// order; statements queued by `executeLater` go first. Only for statements that answer with a status
    /// or a few rows: see `pipeline`.
    /// - Throws: the first error of a statement that failed; the server skips the ones after it.
    func executeInOneRoundTrip(_ statements: [PGStatement]) throws(PostgresError) -> [PGResult] {
        let queued = deferred + statements
        deferred = []
        return Array(try pipeline(queued).suffix(statements.count))
    }

    /// Sends `statements` in libpq's pipeline mode, each as an unnamed statement (which transaction-mode
    /// poolers pass through), and reads their results in one round trip; returns each one's.
    ///
    /// The connection stays in blocking mode: the statements sent this way answer with a status each or a
    /// few rows, never more than the socket's buffers hold, so the server cannot block on its output while
    /// this side is still sending.
    /// - Throws: the first statement's error that failed; the server skips the ones after it.
    private func pipeline(_ statements: [PGStatement]) throws(PostgresError) -> [PGResult] {
        guard PQenterPipelineMode(handle) == 1 else { throw failure(statement: statements.first?.sql) }
        defer { PQexitPipelineMode(handle) }
        // A statement libpq would not queue ends the sending, but what was queued is still synchronised
        // and read, so the connection leaves pipeline mode idle.
        var refused: PostgresError?
        var sent = 0
        for statement in statements {
            let queued = statement.withLibpqParameters { count, types, values, lengths, formats in
                PQsendQueryParams(handle, statement.sql, count, types, values, lengths, formats, 0)
            }
            guard queued == 1 else {
                refused = failure(statement: statement.sql)
                break
            }
            sent += 1
        }
        guard PQpipelineSync(handle) == 1 else { throw failure(statement: statements.last?.sql) }
        var firstError: PostgresError?
        var results: [PGResult] = []
        for statement in statements.prefix(sent) {
            // A statement's results end with NULL; one the server skipped after an error says so.
            while let result = PQgetResult(handle) {
                if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                    PQclear(result)
                    continue
                }
                do throws(PostgresError) {
                    results.append(try checked(result, sql: statement.sql))
                } catch {
                    firstError = firstError ?? error
                }
            }
        }
        // The synchronisation point's own result, after which the connection is idle again.
        if let sync = PQgetResult(handle) {
            PQclear(sync)
        }
        if let error = firstError ?? refused {
            throw error
        }
        guard results.count == statements.count else { throw failure(statement: statements.last?.sql) }
        return results
    }

    /// The connection's own error, for a call that produced no result.
    private func failure(statement: String?) -> PostgresError {
        PostgresError(
            sqlState: nil, message: Self.message(PQerrorMessage(handle)), statement: statement,
            connectionLost: !isHealthy)
    }

    /// Runs statements separated by semicolons, with no parameters, in one round trip (migrations, a
    /// BEGIN that also reads the clock); returns the last statement's result.
    /// Statements queued by `executeLater` are sent first, in a round trip of their own.
    @discardableResult
    package func executeScript(_ sql: String) throws(PostgresError) -> PGResult {
        if !deferred.isEmpty {
            let queued = deferred
            deferred = []
            _ = try pipeline(queued)
        }
        return try checked(PQexec(handle, sql), sql: sql)
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
        lastUsed = ContinuousClock.now
        guard let result else { throw failure(statement: sql) }
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

    /// libpq's message with each of `passwords` replaced by `***`.
    private static func message(_ text: UnsafePointer<CChar>?, hiding passwords: [String]) -> String {
        passwords.reduce(message(text)) { message, password in message.replacing(password, with: "***") }
    }

    /// Drives libpq's connection state machine to its end, waiting on the socket as `PQconnectdb` does
    /// (which cannot be used: it gives no chance to ask for the verbose message before the server answers).
    /// `connect_timeout` bounds each host's attempt, as in libpq; unlike libpq, a host that runs out of time
    /// ends the attempt instead of passing on to the URL's next host.
    /// - Returns: nil once connected, else the failure.
    private static func finishConnecting(_ handle: OpaquePointer, passwords: [String]) -> PostgresError? {
        func failure(_ text: String? = nil) -> PostgresError {
            let verbose = text ?? message(PQerrorMessage(handle), hiding: passwords)
            let sqlState = verbose.matches(of: #/:  ([0-9A-Z]{5}): /#).last.map { String($0.1) }
            let lines = verbose.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("LOCATION:") }
            let plain = lines.joined(separator: "\n").replacing(#/:  [0-9A-Z]{5}: /#, with: ":  ")
            return PostgresError(
                sqlState: sqlState, message: plain.trimmingCharacters(in: .whitespacesAndNewlines), statement: nil,
                connectionLost: true, invalidSettings: PQconnectionNeedsPassword(handle) == 1)
        }
        guard PQstatus(handle) != CONNECTION_BAD else { return failure() }
        let timeout: Int
        switch connectTimeout(handle) {
        case .success(let seconds): timeout = seconds
        case .failure(let error): return error
        }
        // Just after PQconnectStart, libpq waits to write, as if PQconnectPoll had asked for it.
        var state = PGRES_POLLING_WRITING
        var host: String?
        var deadline = ContinuousClock.now
        while state != PGRES_POLLING_OK {
            guard state != PGRES_POLLING_FAILED else { return failure() }
            let current = PQhost(handle).map { String(cString: $0) }
            if current != host {
                host = current
                deadline = .now + .seconds(timeout)
            }
            let wait = timeout > 0 ? max(Int32((deadline - .now).seconds * 1_000), 0) : -1
            var descriptor = pollfd(
                fd: PQsocket(handle), events: Int16(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), revents: 0)
            let ready = poll(&descriptor, 1, wait)
            if ready == 0 {
                return failure("timeout expired")
            }
            if ready < 0 && errno != EINTR {
                return failure("cannot wait for the server: \(String(cString: strerror(errno)))")
            }
            state = PQconnectPoll(handle)
        }
        return nil
    }

    /// The connection's `connect_timeout` in seconds, 0 for none; at least 2, as libpq makes it.
    private static func connectTimeout(_ handle: OpaquePointer) -> Result<Int, PostgresError> {
        guard let options = PQconninfo(handle) else { return .success(0) }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "connect_timeout", let value = option.pointee.val {
                let text = String(cString: value)
                guard let seconds = Int(text.trimmingCharacters(in: .whitespaces)) else {
                    return .failure(
                        PostgresError(
                            sqlState: nil,
                            message: "invalid integer value \"\(text)\" for connection option \"connect_timeout\"",
                            statement: nil, connectionLost: true, invalidSettings: true))
                }
                return .success(seconds <= 0 ? 0 : max(seconds, 2))
            }
            option += 1
        }
        return .success(0)
    }
}

extension [String] {
    /// Calls `body` with the strings as a C array of C strings that ends with NULL, as libpq's
    /// `...Params` calls take them; the array lives only for the call.
    fileprivate func withCStrings<Result>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
        let copies = map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// A statement and its parameters, as `PGConnection` sends it.
struct PGStatement {
    let sql: String
    let parameters: [PGValue]

    /// Calls `body` with the parameters as libpq's `...Params` calls take them, all in binary form; the
    /// buffers live only for the call.
    func withLibpqParameters<Result>(
        _ body: (
            Int32, [Oid], [UnsafePointer<CChar>?], [Int32], [Int32]
        ) -> Result
    ) -> Result {
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
        return body(
            Int32(parameters.count), parameters.map(\.type.oid), buffers, encoded.map { Int32($0?.count ?? 0) },
            [Int32](repeating: 1, count: parameters.count))
    }
}
