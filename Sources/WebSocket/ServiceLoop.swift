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
    /// The context, from when its thread has it until that thread frees it; `wake` uses it only then.
    private let context = Mutex<ContextHandle?>(nil)
    private let allocations = CAllocations()

    /// A context pointer, handed from the thread that creates the context to its service thread.
    private struct ContextHandle: @unchecked Sendable {
        // @unchecked Sendable: only `lws_cancel_service` is called on it off the service thread.
        let pointer: OpaquePointer
    }

    private static let quietLogs: Void = lws_set_log_level(0, nil)

    /// - Parameter onEvent: called on the service thread.
    private init(endsWithConnection: Bool, onEvent: @escaping @Sendable (ServiceEvent) -> Void) {
        Self.quietLogs
        sockets = SocketTable(endsWithConnection: endsWithConnection, onEvent: onEvent)
    }

    /// A new context: listening on a loopback `port` (0 picks a free one), or with nil, one that only
    /// connects out.
    private func createContext(listening port: UInt16?) -> OpaquePointer? {
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
            // A client context holds a few descriptors; its tables are otherwise sized by the process's limit.
            info.fd_limit_per_thread = 64
        }
        return lws_create_context(&info)
    }

    /// A loop serving WebSockets on 127.0.0.1:`port`, created on the calling thread (no name to resolve).
    static func server(port: UInt16, onEvent: @escaping @Sendable (ServiceEvent) -> Void) throws(WebSocketError)
        -> (loop: ServiceLoop, port: UInt16)
    {
        let loop = ServiceLoop(endsWithConnection: false, onEvent: onEvent)
        guard let created = loop.createContext(listening: port) else {
            throw WebSocketError(address: "ws://127.0.0.1:\(port)", detail: "libwebsockets could not listen")
        }
        let bound = lws_get_vhost_listen_port(lws_get_vhost_by_name(created, "default"))
        let handle = ContextHandle(pointer: created)
        loop.start { handle }
        return (loop, UInt16(clamping: bound))
    }

    /// A loop with one client connection to `address`, pinging the peer after `keepalive.pingAfter`
    /// seconds without a frame and hanging up after `keepalive.hangUpAfter`. The context is created and
    /// the connection started on the service thread: resolving the host blocks (this libwebsockets has no
    /// asynchronous DNS), and must not block the caller's.
    static func client(
        to address: WebSocketAddress, keepalive: WebSocketKeepalive?,
        onEvent: @escaping @Sendable (ServiceEvent) -> Void
    ) -> ServiceLoop {
        let loop = ServiceLoop(endsWithConnection: true, onEvent: onEvent)
        loop.start {
            guard let created = loop.createContext(listening: nil) else {
                loop.sockets.failIfUnreported("libwebsockets could not create a context")
                return nil
            }
            loop.connect(created, to: address, keepalive: keepalive)
            return ContextHandle(pointer: created)
        }
        return loop
    }

    private func connect(_ context: OpaquePointer, to address: WebSocketAddress, keepalive: WebSocketKeepalive?) {
        var info = lws_client_connect_info()
        info.context = context
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
            sockets.failIfUnreported("the connection could not be started (does the host's name resolve?)")
        }
    }

    /// Starts the service thread: it gets its context from `creating` (nil: none could be had), services
    /// it until stopped, and frees it.
    private func start(_ creating: @escaping @Sendable () -> ContextHandle?) {
        let thread = Thread { [self] in
            if let created = creating() {
                run(created.pointer)
            }
            sockets.report(.ended)
        }
        thread.name = "websocket"
        thread.start()
    }

    private func run(_ created: OpaquePointer) {
        context.withLock { $0 = ContextHandle(pointer: created) }
        while !sockets.isFinished {
            lws_service(created, 0)
        }
        context.withLock { $0 = nil }
        lws_context_destroy(created)
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
        context.withLock { context in
            if let context { lws_cancel_service(context.pointer) }
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
    // @unchecked Sendable: written only while the context is created and the connection started, before
    // the context services anything.
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
