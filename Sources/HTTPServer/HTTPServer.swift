import CMicroHTTPD
import Foundation
import Synchronization

/// An HTTP server on libmicrohttpd: its threads parse HTTP and poll the connections (a slow client
/// holds no thread), and each whole request is handed to an async handler while its connection is
/// suspended, then answered when the handler returns.
///
/// One wrapper for one `MHD_Daemon`: started in `init`, stopped by `stop()` (or when the server is
/// released). Bodies over `Limits.maxBodyBytes` are answered 413 without reaching the handler.
package final class HTTPServer: Sendable {
    package struct Limits: Sendable {
        /// Connections open at once; more are refused at accept.
        package var maxConnections = 1_024
        /// A connection idle (or trickling) this long is closed.
        package var connectionTimeout = Duration.seconds(30)
        package var maxBodyBytes = 1 << 20
        /// Threads that poll connections and parse requests.
        package var threads = 2

        package init() {}
    }

    package typealias Handler = @Sendable (ServerRequest) async -> ServerResponse

    /// The port it listens on (the one the system picked, when asked for port 0).
    package let port: UInt16
    package let address: ListenAddress
    private let daemon: Daemon
    private let state: State

    /// Starts listening on `address`.
    /// - Throws: `HTTPServerError` when the address cannot be bound.
    package init(address: ListenAddress, limits: Limits = Limits(), handler: @escaping Handler) throws {
        guard let socketAddress = ListenAddress.socketAddress(address.host, port: address.port) else {
            throw HTTPServerError("\(address) is not a numeric IPv4 or IPv6 address with a port")
        }
        let state = State(handler: handler, maxBodyBytes: limits.maxBodyBytes)
        let context = Unmanaged.passUnretained(state).toOpaque()
        let started = socketAddress.withUnsafeBytes { bytes in
            sb_mhd_start(
                bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), UInt32(limits.threads),
                UInt32(limits.maxConnections), UInt32(max(1, limits.connectionTimeout.components.seconds)),
                HTTPServer.access, context, HTTPServer.completed, context)
        }
        guard let started else {
            throw HTTPServerError("cannot listen on \(address): \(String(cString: strerror(errno)))")
        }
        self.state = state
        daemon = Daemon(started)
        port = sb_mhd_port(started)
        self.address = ListenAddress(host: address.host, port: port)
    }

    /// Stops accepting connections, waits up to `grace` for the requests being handled to be answered,
    /// then closes every connection.
    package func stop(grace: Duration = .seconds(10)) async {
        daemon.quiesce()
        await state.waitForIdle(until: ContinuousClock.now + grace)
        daemon.stop()
    }

    // MARK: libmicrohttpd callbacks

    private static let access: MHD_AccessHandlerCallback = {
        context, connection, url, method, _, upload, uploadSize, requestContext in
        guard let context, let connection, let requestContext, let uploadSize else { return MHD_Result.NO }
        let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
        guard let pending = requestContext.pointee else {
            // The first call of a request: only its line and headers are known.
            let exchange = Exchange(
                method: method.map { String(cString: $0) } ?? "GET", url: url.map { String(cString: $0) } ?? "/")
            requestContext.pointee = Unmanaged.passRetained(exchange).toOpaque()
            return MHD_Result.YES
        }
        let exchange = Unmanaged<Exchange>.fromOpaque(pending).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            exchange.append(upload, count: uploadSize.pointee, limit: state.maxBodyBytes)
            uploadSize.pointee = 0
            return MHD_Result.YES
        }
        if let response = exchange.takeResponse() {
            return queue(response, on: connection)
        }
        if exchange.tooLarge {
            return queue(
                .json(413, Data(#"{"error":"the body is larger than the server accepts"}"#.utf8)), on: connection)
        }
        guard exchange.start() else { return MHD_Result.YES }
        let request = exchange.request(
            headers: values(connection, MHD_ValueKind.HEADER_KIND),
            query: values(connection, MHD_ValueKind.GET_ARGUMENT_KIND),
            clientAddress: sb_mhd_client_address(connection).flatMap(IPAddress.init))
        let resumable = Connection(connection)
        MHD_suspend_connection(connection)
        state.began()
        Task {
            let response = await state.handler(request)
            exchange.answer(response)
            MHD_resume_connection(resumable.pointer)
        }
        return MHD_Result.YES
    }

    /// A request's end: its answer is sent (or its connection is gone). Only now is a handled request
    /// no longer in flight, so `stop` does not close a connection whose answer is still being written.
    private static let completed: MHD_RequestCompletedCallback = { context, _, requestContext, _ in
        guard let context, let requestContext, let pending = requestContext.pointee else { return }
        let exchange = Unmanaged<Exchange>.fromOpaque(pending).takeRetainedValue()
        requestContext.pointee = nil
        if exchange.wasHandled {
            Unmanaged<State>.fromOpaque(context).takeUnretainedValue().ended()
        }
    }

    private static func queue(_ response: ServerResponse, on connection: OpaquePointer) -> MHD_Result {
        if response.drop { return MHD_Result.NO }
        let created = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(
                bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                MHD_ResponseMemoryMode.RESPMEM_MUST_COPY)
        }
        guard let created else { return MHD_Result.NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers {
            MHD_add_response_header(created, name, value)
        }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }

    /// A connection's values of one kind (headers with their names in lower case, or query parameters).
    private static func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [String: String] {
        let collected = Collected()
        let context = Unmanaged.passUnretained(collected).toOpaque()
        MHD_get_connection_values(
            connection, kind,
            { context, kind, key, value in
                guard let context, let key else { return MHD_Result.YES }
                let collected = Unmanaged<Collected>.fromOpaque(context).takeUnretainedValue()
                let name = String(cString: key)
                collected.values[kind == MHD_ValueKind.HEADER_KIND ? name.lowercased() : name] =
                    value.map { String(cString: $0) } ?? ""
                return MHD_Result.YES
            }, context)
        return collected.values
    }
}

/// What `HTTPServer` could not do.
package struct HTTPServerError: Error, CustomStringConvertible {
    package let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The daemon handle, stopped once.
private final class Daemon: @unchecked Sendable {
    // @unchecked Sendable: `handle` is only passed to libmicrohttpd, whose daemon calls are thread-safe;
    // `stopped` guards the one stop.
    private let handle: OpaquePointer
    private let stopped = Atomic<Bool>(false)

    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        stop()
    }

    /// Stops accepting connections; the ones open carry on.
    func quiesce() {
        let listener = MHD_quiesce_daemon(handle)
        if listener >= 0 { close(listener) }
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        MHD_stop_daemon(handle)
    }
}

/// A suspended connection, to resume from the task that answers it.
private struct Connection: @unchecked Sendable {
    // @unchecked Sendable: libmicrohttpd allows resuming a suspended connection from any thread.
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }
}

/// The handler and the count of requests being handled, shared with libmicrohttpd's threads.
private final class State: Sendable {
    let handler: HTTPServer.Handler
    let maxBodyBytes: Int
    private let active = Mutex((count: 0, idle: [CheckedContinuation<Void, Never>]()))

    init(handler: @escaping HTTPServer.Handler, maxBodyBytes: Int) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
    }

    func began() {
        active.withLock { $0.count += 1 }
    }

    func ended() {
        let waiters = active.withLock { active -> [CheckedContinuation<Void, Never>] in
            active.count -= 1
            guard active.count == 0 else { return [] }
            defer { active.idle = [] }
            return active.idle
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once no request is being handled, or at `deadline`.
    func waitForIdle(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let idle = self.active.withLock { active -> Bool in
                        if active.count == 0 { return true }
                        active.idle.append(continuation)
                        return false
                    }
                    if idle { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// One request's life on its connection: its body as it arrives, then its answer.
private final class Exchange: @unchecked Sendable {
    // @unchecked Sendable: the body is written by libmicrohttpd's thread before the handler starts; the
    // response crosses from the handler's task to that thread under `answered`.
    let method: String
    let url: String
    private var body = Data()
    private(set) var tooLarge = false
    private var started = false
    private let answered = Mutex<ServerResponse?>(nil)

    init(method: String, url: String) {
        self.method = method
        self.url = url
    }

    func append(_ bytes: UnsafePointer<CChar>?, count: Int, limit: Int) {
        guard !tooLarge, let bytes else { return }
        if body.count + count > limit {
            tooLarge = true
            body = Data()
            return
        }
        body.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Whether the request went to the handler.
    var wasHandled: Bool { started }

    /// True the first time: the request is complete and goes to the handler.
    func start() -> Bool {
        defer { started = true }
        return !started
    }

    func request(headers: [String: String], query: [String: String], clientAddress: IPAddress?) -> ServerRequest {
        let path =
            url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
        return ServerRequest(
            method: method, path: path, query: query, headers: headers, body: body, clientAddress: clientAddress)
    }

    func answer(_ response: ServerResponse) {
        answered.withLock { $0 = response }
    }

    func takeResponse() -> ServerResponse? {
        answered.withLock { $0 }
    }
}

/// Values gathered by a libmicrohttpd iterator.
private final class Collected {
    var values: [String: String] = [:]
}
