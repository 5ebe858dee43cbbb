import CWebSockets
import Foundation
import Synchronization

/// A socket of a service loop: a client's connection, or one peer of a server.
struct SocketID: Hashable, Sendable {
    let value: Int
}

/// What a service loop reports, on its service thread, in order.
enum ServiceEvent: Sendable {
    /// A socket finished its upgrade: for a server, the path and query its peer asked for.
    case opened(SocketID, path: String, query: String)
    case received(WebSocketMessage, on: SocketID)
    case closed(SocketID, WebSocketClosure)
    /// A client connection failed before it opened.
    case failedToOpen(String)
    /// The loop stopped and freed its context; nothing follows.
    case ended
}

/// One libwebsockets context (`struct lws_context *`) and the thread that services it: every callback
/// of the context runs on that thread; other threads only queue sends and closes, and wake it.
///
/// libwebsockets as Debian builds it services a context from one thread (`LWS_MAX_SMP` 1), and only
/// `lws_cancel_service` may be called from another, so each context gets its own thread.
final class ServiceLoop: Sendable {
    /// Messages bigger than this are refused with close code 1009 (a Discord READY of a large bot is a
    /// few MiB).
    static let maxMessageBytes = 32 << 20

    private let sockets: SocketTable
    /// The context: freed by the service thread once it stops; `wake` uses it only while `isAlive`.
    private nonisolated(unsafe) let context: OpaquePointer
    private let isAlive = Mutex(true)
    private let allocations: CAllocations

    private static let quietLogs: Void = lws_set_log_level(0, nil)

    /// Creates a context and starts servicing it.
    /// - Parameters:
    ///   - listening: a loopback port to serve WebSockets on (0 picks a free one), or nil for a context
    ///     that only connects out.
    ///   - onEvent: called on the service thread.
    private init(listening port: UInt16?, onEvent: @escaping @Sendable (ServiceEvent) -> Void) throws(WebSocketError) {
        Self.quietLogs
        sockets = SocketTable(endsWithConnection: port == nil, onEvent: onEvent)
        allocations = CAllocations()
        var info = lws_context_creation_info()
        info.protocols = UnsafePointer(allocations.protocols)
        info.user = Unmanaged.passUnretained(sockets).toOpaque()
        info.gid = -1
        info.uid = -1
        if let port {
            info.port = Int32(port)
            info.iface = UnsafePointer(allocations.string("127.0.0.1"))
        } else {
            info.port = sb_lws_port_no_listen()
            info.options = sb_lws_option_ssl_global_init()
        }
        guard let created = lws_create_context(&info) else {
            throw WebSocketError(
                address: port.map { "ws://127.0.0.1:\($0)" } ?? "client",
                detail: "libwebsockets could not create a context")
        }
        context = created
    }

    /// A loop serving WebSockets on 127.0.0.1:`port`.
    static func server(port: UInt16, onEvent: @escaping @Sendable (ServiceEvent) -> Void) throws(WebSocketError)
        -> (loop: ServiceLoop, port: UInt16)
    {
        let loop = try ServiceLoop(listening: port, onEvent: onEvent)
        let bound = lws_get_vhost_listen_port(lws_get_vhost_by_name(loop.context, "default"))
        loop.start()
        return (loop, UInt16(clamping: bound))
    }

    /// A loop with one client connection to `address`, pinging the peer after `keepalive.pingAfter`
    /// seconds without a frame and hanging up after `keepalive.hangUpAfter`.
    static func client(
        to address: WebSocketAddress, keepalive: WebSocketKeepalive?,
        onEvent: @escaping @Sendable (ServiceEvent) -> Void
    ) throws(WebSocketError) -> ServiceLoop {
        let loop = try ServiceLoop(listening: nil, onEvent: onEvent)
        let allocations = loop.allocations
        var info = lws_client_connect_info()
        info.context = loop.context
        info.address = UnsafePointer(allocations.string(address.host))
        info.port = Int32(address.port)
        info.path = UnsafePointer(allocations.string(address.pathAndQuery))
        info.host = UnsafePointer(allocations.string(address.hostHeader))
        info.origin = info.host
        info.ietf_version_or_minus_one = -1
        info.local_protocol_name = UnsafePointer(allocations.protocolName)
        if address.usesTLS {
            info.ssl_connection = Int32(LCCSCF_USE_SSL.rawValue)
            info.alpn = UnsafePointer(allocations.string("http/1.1"))
        }
        if let keepalive {
            info.retry_and_idle_policy = UnsafePointer(allocations.retryPolicy(keepalive))
        }
        if lws_client_connect_via_info(&info) == nil {
            loop.sockets.failIfUnreported("libwebsockets refused to start the connection")
        }
        loop.start()
        return loop
    }

    private func start() {
        let thread = Thread { [self] in run() }
        thread.name = "websocket"
        thread.start()
    }

    private func run() {
        while !sockets.isFinished {
            lws_service(context, 0)
        }
        isAlive.withLock { $0 = false }
        lws_context_destroy(context)
        sockets.report(.ended)
    }

    /// Queues `message` for `socket`; dropped if the socket has closed.
    func send(_ message: WebSocketMessage, to socket: SocketID) {
        sockets.queue(.message(message), to: socket)
        wake()
    }

    /// Closes `socket` with `code` once what was queued before has gone out.
    func close(_ socket: SocketID, code: UInt16, reason: String) {
        sockets.queue(.close(code: code, reason: reason), to: socket)
        wake()
    }

    /// Stops servicing, dropping every connection, and frees the context; `.ended` follows.
    func stop() {
        sockets.requestStop()
        wake()
    }

    private func wake() {
        isAlive.withLock { isAlive in
            if isAlive { lws_cancel_service(context) }
        }
    }
}

/// How a client keeps an idle connection checked: a WebSocket ping after `pingAfter` seconds without
/// a frame from the peer, and a hang-up after `hangUpAfter` (the peer answers pings automatically).
public struct WebSocketKeepalive: Sendable {
    public var pingAfter: Int
    public var hangUpAfter: Int

    public init(pingAfter: Int, hangUpAfter: Int) {
        self.pingAfter = pingAfter
        self.hangUpAfter = hangUpAfter
    }
}

/// The C memory a context reads for its whole life: its protocol table, names and strings of the
/// connection it was given, the keepalive policy. Freed with the loop, after the context.
private final class CAllocations: @unchecked Sendable {
    // @unchecked Sendable: written only while the context is created, before its thread starts.
    let protocolName: UnsafeMutablePointer<CChar>
    let protocols: UnsafeMutablePointer<lws_protocols>
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var policy: UnsafeMutablePointer<lws_retry_bo_t>?

    init() {
        protocolName = strdup("switchboard")
        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(protocolName)
        protocols[0].callback = serviceCallback
        protocols[0].rx_buffer_size = 65_536
    }

    func string(_ value: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(value)!
        strings.append(copy)
        return copy
    }

    func retryPolicy(_ keepalive: WebSocketKeepalive) -> UnsafeMutablePointer<lws_retry_bo_t> {
        let policy = UnsafeMutablePointer<lws_retry_bo_t>.allocate(capacity: 1)
        policy.initialize(to: lws_retry_bo_t())
        policy.pointee.secs_since_valid_ping = UInt16(clamping: keepalive.pingAfter)
        policy.pointee.secs_since_valid_hangup = UInt16(clamping: keepalive.hangUpAfter)
        self.policy = policy
        return policy
    }

    deinit {
        protocols.deinitialize(count: 2)
        protocols.deallocate()
        free(protocolName)
        strings.forEach { free($0) }
        policy?.deallocate()
    }
}

/// The one callback of every context: finds the context's socket table and hands the call to it.
private let serviceCallback:
    @convention(c) (
        OpaquePointer?, lws_callback_reasons, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int
    ) -> Int32 = { wsi, reason, _, input, length in
        guard let wsi, let context = lws_get_context(wsi), let user = lws_context_user(context) else { return 0 }
        let sockets = Unmanaged<SocketTable>.fromOpaque(user).takeUnretainedValue()
        return sockets.handle(wsi, reason, UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length))
    }
