import CMicroHTTPD
import Foundation
import Synchronization

/// An HTTP server on libmicrohttpd: its threads parse HTTP and poll the connections with epoll (a slow
/// client holds no thread), and each whole request is handed to an async handler while its connection is
/// suspended, then answered when the handler returns.
///
/// One wrapper for one `MHD_Daemon`: started in `init`, stopped by `stop()` (or when the server is
/// released). Bodies over `Limits.maxBodyBytes` are answered 413 without reaching the handler; a request
/// whose framing is ambiguous (`RequestFraming`) 400; a request that has not arrived whole within
/// `Limits.requestDeadline` is cut off (`RequestDeadlines`).
package final class HTTPServer: Sendable {
    package struct Limits: Sendable {
        /// Connections open at once; more are refused at accept. Each needs a file descriptor.
        package var maxConnections = 4_096
        /// Connections open at once from one client address; more are refused at accept. 0: no limit.
        package var maxConnectionsPerAddress = 256
        /// A connection idle this long is closed.
        package var connectionTimeout = Duration.seconds(30)
        /// A request's headers and body must have arrived within this, from the connection's start or
        /// the previous answer on it, however they trickle.
        package var requestDeadline = Duration.seconds(10)
        package var maxBodyBytes = 1 << 20
        /// Threads that poll connections and parse requests.
        package var threads = 2
        /// Read `multipart/form-data` bodies into parts (`ServerRequest.formParts`) with libmicrohttpd's
        /// post processor; off, such a body reaches the handler as bytes, like any other.
        package var readsForms = false

        package init() {}
    }

    package typealias Handler = @Sendable (ServerRequest) async -> ServerResponse

    /// The port it listens on (the one the system picked, when asked for port 0).
    package let port: UInt16
    package let address: ListenAddress
    private let daemon: Daemon
    private let state: State

    /// Starts listening on `address`.
    /// - Parameter sharingPort: bind with `SO_REUSEPORT`, so that another server that asks the same may
    ///   listen on the same address (the kernel splits connections between them); otherwise an address in
    ///   use is refused.
    /// - Throws: `HTTPServerError` when the address cannot be bound or the server cannot start.
    package init(
        address: ListenAddress, limits: Limits = Limits(), sharingPort: Bool = false, handler: @escaping Handler
    ) throws(HTTPServerError) {
        let socket = try ListeningSocket(address: address, sharingPort: sharingPort)
        let state = State(
            handler: handler, maxBodyBytes: limits.maxBodyBytes, readsForms: limits.readsForms,
            deadlines: RequestDeadlines(deadline: limits.requestDeadline))
        let context = Unmanaged.passUnretained(state).toOpaque()
        var settings = sb_mhd_settings(
            listen_fd: socket.handOver(), ipv6: socket.isIPv6 ? 1 : 0, threads: UInt32(limits.threads),
            connection_limit: UInt32(limits.maxConnections),
            per_address_limit: UInt32(limits.maxConnectionsPerAddress),
            timeout_seconds: UInt32(max(1, limits.connectionTimeout.components.seconds)))
        guard
            let started = sb_mhd_start(
                &settings, HTTPServer.access, context, HTTPServer.completed, context, HTTPServer.notify, context)
        else {
            // libmicrohttpd did not take the socket: it is ours to close.
            close(settings.listen_fd)
            throw HTTPServerError(.cannotStart, "libmicrohttpd could not start a server on \(address)")
        }
        self.state = state
        daemon = Daemon(started)
        port = socket.port
        self.address = ListenAddress(host: address.host, port: socket.port)
    }

    /// Whether libmicrohttpd polls with epoll, as it should on Linux: select() could not watch more than
    /// 1,024 descriptors, and a thousand slow clients would shut everyone else out.
    package var pollsWithEpoll: Bool {
        daemon.usesEpoll
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
                method: method.map { String(cString: $0) } ?? "GET", url: url.map { String(cString: $0) } ?? "/",
                headers: headers(of: connection))
            requestContext.pointee = Unmanaged.passRetained(exchange).toOpaque()
            if let problem = RequestFraming.problem(exchange.headerLines) {
                return queue(.json(400, Data(#"{"error":"\#(problem)"}"#.utf8)), on: connection)
            }
            if state.readsForms && exchange.sendsForm {
                exchange.multipart = MultipartReader(connection: connection)
                exchange.readsForm = true
            }
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
        state.deadlines.requestArrived(on: connection)
        if exchange.tooLarge {
            return queue(
                .json(413, Data(#"{"error":"the body is larger than the server accepts"}"#.utf8)), on: connection)
        }
        guard exchange.start() else { return MHD_Result.YES }
        guard exchange.finishForm() else {
            return queue(
                .json(400, Data(#"{"error":"the multipart/form-data body is malformed"}"#.utf8)), on: connection)
        }
        let request = exchange.request(
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
    /// no longer in flight, so `stop` does not close a connection whose answer is still being written;
    /// and only now does the connection's next request start its deadline.
    private static let completed: MHD_RequestCompletedCallback = { context, connection, requestContext, _ in
        guard let context else { return }
        let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
        if let connection {
            state.deadlines.answered(on: connection)
        }
        guard let requestContext, let pending = requestContext.pointee else { return }
        let exchange = Unmanaged<Exchange>.fromOpaque(pending).takeRetainedValue()
        requestContext.pointee = nil
        if exchange.wasHandled {
            state.ended()
        }
    }

    /// A connection's start and end, for its request deadline.
    private static let notify: MHD_NotifyConnectionCallback = { context, connection, _, event in
        guard let context, let connection else { return }
        let deadlines = Unmanaged<State>.fromOpaque(context).takeUnretainedValue().deadlines
        switch event {
        case MHD_ConnectionNotificationCode.CONNECTION_NOTIFY_STARTED:
            deadlines.opened(connection, descriptor: sb_mhd_connection_fd(connection))
        default:
            deadlines.closed(connection)
        }
    }

    private static func queue(_ response: ServerResponse, on connection: OpaquePointer) -> MHD_Result {
        if response.drop { return MHD_Result.NO }
        let created: OpaquePointer?
        if let file = response.file, let descriptor = file.take() {
            // libmicrohttpd closes the descriptor with the response, or (when it cannot make one) here.
            created = MHD_create_response_from_fd(file.size, Int32(descriptor))
            if created == nil { close(descriptor) }
        } else {
            created = response.body.withUnsafeBytes { bytes in
                MHD_create_response_from_buffer(
                    bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                    MHD_ResponseMemoryMode.RESPMEM_MUST_COPY)
            }
        }
        guard let created else { return MHD_Result.NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers {
            MHD_add_response_header(created, name, value)
        }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }

    /// A connection's query parameters, percent-decoded.
    private static func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [String: String] {
        Dictionary(collect(connection, kind), uniquingKeysWith: { _, last in last })
    }

    /// A request's header lines in order, names in lower case, repeats kept.
    private static func headers(of connection: OpaquePointer) -> [(name: String, value: String)] {
        collect(connection, MHD_ValueKind.HEADER_KIND).map { (name: $0.name.lowercased(), value: $0.value) }
    }

    private static func collect(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(name: String, value: String)] {
        let collected = Collected()
        let context = Unmanaged.passUnretained(collected).toOpaque()
        MHD_get_connection_values(
            connection, kind,
            { context, _, key, value in
                guard let context, let key else { return MHD_Result.YES }
                Unmanaged<Collected>.fromOpaque(context).takeUnretainedValue().values.append(
                    (String(cString: key), value.map { String(cString: $0) } ?? ""))
                return MHD_Result.YES
            }, context)
        return collected.values
    }
}

/// What `HTTPServer` could not do.
package struct HTTPServerError: Error, CustomStringConvertible {
    package enum Code: Sendable {
        /// The address is not a numeric IPv4 or IPv6 address.
        case invalidAddress
        /// Another socket listens on the address (and did not share it, or this server did not ask to).
        case addressInUse
        /// The system refused the socket for another reason (permission, no such local address).
        case cannotListen
        /// libmicrohttpd refused to start.
        case cannotStart
    }

    package let code: Code
    package let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
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

    var usesEpoll: Bool {
        sb_mhd_uses_epoll(handle) != 0
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

/// The handler, the connections' request deadlines and the count of requests being handled, shared
/// with libmicrohttpd's threads.
private final class State: Sendable {
    let handler: HTTPServer.Handler
    let maxBodyBytes: Int
    let readsForms: Bool
    let deadlines: RequestDeadlines
    private let active = Mutex((count: 0, idle: [CheckedContinuation<Void, Never>]()))

    init(handler: @escaping HTTPServer.Handler, maxBodyBytes: Int, readsForms: Bool, deadlines: RequestDeadlines) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.readsForms = readsForms
        self.deadlines = deadlines
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
    /// Every header line, names in lower case, repeats kept.
    let headerLines: [(name: String, value: String)]
    private var body = Data()
    /// The reader of a `multipart/form-data` body, and the parts it read once the body ended.
    var multipart: MultipartReader?
    /// Whether the body is read as a form (the server reads forms, and this request says it sends one).
    var readsForm = false
    private var formParts: [ReceivedFormPart]?
    private(set) var tooLarge = false
    private var started = false
    private let answered = Mutex<ServerResponse?>(nil)

    init(method: String, url: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.url = url
        headerLines = headers
    }

    func append(_ bytes: UnsafePointer<CChar>?, count: Int, limit: Int) {
        guard !tooLarge, let bytes else { return }
        if body.count + count > limit {
            tooLarge = true
            body = Data()
            return
        }
        body.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: count)
        multipart?.feed(bytes, count: count)
    }

    /// Whether the request says its body is a `multipart/form-data` form.
    var sendsForm: Bool {
        headerLines.contains { $0.name == "content-type" && $0.value.lowercased().hasPrefix("multipart/form-data") }
    }

    /// Reads the form's parts once the body has ended; false when the body is no well-formed form.
    func finishForm() -> Bool {
        guard readsForm else { return true }
        formParts = multipart?.finish()
        multipart = nil
        return formParts != nil
    }

    /// Whether the request went to the handler.
    var wasHandled: Bool { started }

    /// True the first time: the request is complete and goes to the handler.
    func start() -> Bool {
        defer { started = true }
        return !started
    }

    /// The request for the handler; a header sent more than once has its last value.
    func request(query: [String: String], clientAddress: IPAddress?) -> ServerRequest {
        let path =
            url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
        let headers = Dictionary(headerLines, uniquingKeysWith: { _, last in last })
        var request = ServerRequest(
            method: method, path: path, query: query, headers: headers, body: body, clientAddress: clientAddress)
        request.formParts = formParts
        if headers.count < headerLines.count {
            var seen: Set<String> = []
            request.repeatedHeaders = Set(headerLines.map(\.name).filter { !seen.insert($0).inserted })
        }
        return request
    }

    func answer(_ response: ServerResponse) {
        answered.withLock { $0 = response }
    }

    func takeResponse() -> ServerResponse? {
        answered.withLock { $0 }
    }
}

/// Values gathered by a libmicrohttpd iterator, in order.
private final class Collected {
    var values: [(name: String, value: String)] = []
}
