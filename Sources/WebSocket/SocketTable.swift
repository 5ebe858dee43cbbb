import CWebSockets
import Foundation
import Synchronization

/// The sockets of one service loop: what the service thread knows about each (its `struct lws *`, the
/// message it is reassembling, what it has left to send, how it closed) and the sends other threads
/// queued for it.
///
/// Everything but `queue`, `requestStop` and `isFinished` runs on the service thread, inside callbacks.
final class SocketTable: @unchecked Sendable {
    // @unchecked Sendable: `serviceState` is touched only on the service thread (libwebsockets calls
    // every callback of a context there); what other threads touch is behind `shared`'s lock.
    enum Outgoing: Sendable {
        case message(WebSocketMessage)
        case close(code: UInt16, reason: String)
    }

    private struct Shared {
        var queued: [(SocketID, Outgoing)] = []
        var stopping = false
        /// A client's loop ends with its connection.
        var finished = false
    }

    /// Messages waiting to be written, oldest first, taken from the front without moving the rest.
    private struct Outbox {
        private var items: [Outgoing] = []
        private var head = 0

        var isEmpty: Bool { head == items.count }

        mutating func append(_ item: Outgoing) {
            items.append(item)
        }

        /// Drops what waits and keeps only `item`.
        mutating func replace(with item: Outgoing) {
            items = [item]
            head = 0
        }

        mutating func popFirst() -> Outgoing? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    private struct Socket {
        let wsi: OpaquePointer
        var outbox = Outbox()
        var partial: (isBinary: Bool, bytes: Data)?
        /// The message being received is too big: its remaining fragments are dropped.
        var discarding = false
        var closedByPeer: (code: UInt16, reason: String)?
        var closingByUs: (code: UInt16, reason: String)?
    }

    private struct ServiceState {
        var sockets: [SocketID: Socket] = [:]
        var ids: [OpaquePointer: SocketID] = [:]
        var nextID = 0
        var reportedFailure = false
    }

    private let onEvent: @Sendable (ServiceEvent) -> Void
    /// Whether the loop ends when its one (client) connection ends.
    private let endsWithConnection: Bool
    private let shared = Mutex(Shared())
    private var serviceState = ServiceState()

    init(endsWithConnection: Bool, onEvent: @escaping @Sendable (ServiceEvent) -> Void) {
        self.endsWithConnection = endsWithConnection
        self.onEvent = onEvent
    }

    var isFinished: Bool {
        shared.withLock { $0.stopping || $0.finished }
    }

    func queue(_ outgoing: Outgoing, to socket: SocketID) {
        shared.withLock { $0.queued.append((socket, outgoing)) }
    }

    func requestStop() {
        shared.withLock { $0.stopping = true }
    }

    func report(_ event: ServiceEvent) {
        onEvent(event)
    }

    /// Reports a client connection that failed to start, once.
    func failIfUnreported(_ detail: String) {
        guard !serviceState.reportedFailure else { return }
        serviceState.reportedFailure = true
        onEvent(.failedToOpen(detail))
        shared.withLock { $0.finished = true }
    }

    /// One callback: returns what libwebsockets expects (non-zero closes the connection).
    func handle(_ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ input: UnsafeRawBufferPointer) -> Int32 {
        switch reason {
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            opened(wsi, path: "", query: "")
        case LWS_CALLBACK_ESTABLISHED:
            opened(wsi, path: Self.header(wsi, WSI_TOKEN_GET_URI), query: Self.header(wsi, WSI_TOKEN_HTTP_URI_ARGS))
        case LWS_CALLBACK_CLIENT_RECEIVE, LWS_CALLBACK_RECEIVE:
            received(wsi, input)
        case LWS_CALLBACK_CLIENT_WRITEABLE, LWS_CALLBACK_SERVER_WRITEABLE:
            return writeNext(wsi)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            peerClosed(wsi, input)
        case LWS_CALLBACK_CLIENT_CLOSED, LWS_CALLBACK_CLOSED:
            closed(wsi)
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            let detail = input.isEmpty ? "" : String(decoding: input.prefix { $0 != 0 }, as: UTF8.self)
            failIfUnreported(detail.isEmpty ? "the connection failed" : detail)
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            takeQueued()
        case LWS_CALLBACK_HTTP:
            return -1
        default:
            break
        }
        return 0
    }

    private func opened(_ wsi: OpaquePointer, path: String, query: String) {
        let id = SocketID(value: serviceState.nextID)
        serviceState.nextID += 1
        serviceState.sockets[id] = Socket(wsi: wsi)
        serviceState.ids[wsi] = id
        onEvent(.opened(id, path: path, query: query))
    }

    /// Runs `body` on the socket `id` in place (a copy would copy its buffers on every change); nil when
    /// there is no such socket.
    private func withSocket<Result>(_ id: SocketID, _ body: (inout Socket) -> Result) -> Result? {
        guard serviceState.sockets[id] != nil else { return nil }
        return body(&serviceState.sockets[id]!)
    }

    private func received(_ wsi: OpaquePointer, _ input: UnsafeRawBufferPointer) {
        guard let id = serviceState.ids[wsi] else { return }
        let isLast = lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0
        let isBinary = lws_frame_is_binary(wsi) != 0
        var tooBig = false
        let message = withSocket(id) { socket -> WebSocketMessage? in
            guard !socket.discarding else { return nil }
            if socket.partial == nil { socket.partial = (isBinary, Data()) }
            socket.partial!.bytes.append(contentsOf: input)
            if socket.partial!.bytes.count > ServiceLoop.maxMessageBytes {
                socket.partial = nil
                socket.discarding = true
                socket.outbox.replace(with: .close(code: 1009, reason: "message too big"))
                tooBig = true
                return nil
            }
            guard isLast, let whole = socket.partial else { return nil }
            socket.partial = nil
            return WebSocketMessage(isBinary: whole.isBinary, bytes: whole.bytes)
        }
        if tooBig { lws_callback_on_writable(wsi) }
        if let message = message ?? nil { onEvent(.received(message, on: id)) }
    }

    /// Writes one queued message (libwebsockets allows one write per writeable callback), asking for
    /// another callback while more wait.
    private func writeNext(_ wsi: OpaquePointer) -> Int32 {
        guard let id = serviceState.ids[wsi], let next = withSocket(id, { $0.outbox.popFirst() }) ?? nil else {
            return 0
        }
        switch next {
        case .close(let code, let reason):
            serviceState.sockets[id]?.closingByUs = (code, reason)
            var bytes = Array(reason.utf8.prefix(120))
            lws_close_reason(wsi, lws_close_status(rawValue: UInt32(code)), &bytes, bytes.count)
            return -1
        case .message(let message):
            let headroom = sb_lws_pre()
            var buffer = [UInt8](repeating: 0, count: headroom + message.bytes.count)
            buffer.replaceSubrange(headroom..., with: message.bytes)
            let written = buffer.withUnsafeMutableBufferPointer { buffer in
                lws_write(
                    wsi, buffer.baseAddress! + headroom, message.bytes.count,
                    message.isBinary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT)
            }
            if written < message.bytes.count { return -1 }
            if withSocket(id, { !$0.outbox.isEmpty }) == true { lws_callback_on_writable(wsi) }
            return 0
        }
    }

    private func peerClosed(_ wsi: OpaquePointer, _ input: UnsafeRawBufferPointer) {
        guard let id = serviceState.ids[wsi], input.count >= 2 else { return }
        let code = UInt16(input[0]) << 8 | UInt16(input[1])
        serviceState.sockets[id]?.closedByPeer = (code, String(decoding: input.dropFirst(2), as: UTF8.self))
    }

    private func closed(_ wsi: OpaquePointer) {
        guard let id = serviceState.ids.removeValue(forKey: wsi),
            let socket = serviceState.sockets.removeValue(forKey: id)
        else { return }
        let closure: WebSocketClosure
        if let (code, reason) = socket.closingByUs {
            closure = WebSocketClosure(code: code, reason: reason, byUs: true)
        } else if let (code, reason) = socket.closedByPeer {
            closure = WebSocketClosure(code: code, reason: reason, byUs: false)
        } else {
            closure = WebSocketClosure(code: nil, reason: "", byUs: false)
        }
        onEvent(.closed(id, closure))
        if endsWithConnection {
            shared.withLock { $0.finished = true }
        }
    }

    /// Moves sends and closes queued by other threads to their sockets' outboxes.
    private func takeQueued() {
        let queued = shared.withLock { shared in
            defer { shared.queued = [] }
            return shared.queued
        }
        var woken: Set<SocketID> = []
        for (id, outgoing) in queued where withSocket(id, { $0.outbox.append(outgoing) }) != nil {
            woken.insert(id)
        }
        for id in woken {
            if let wsi = serviceState.sockets[id]?.wsi { lws_callback_on_writable(wsi) }
        }
    }

    /// A header of the upgrade request, as text; empty when absent.
    private static func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0 else { return "" }
        var buffer = [CChar](repeating: 0, count: length + 1)
        let copied = lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token)
        guard copied > 0 else { return "" }
        return String(decoding: buffer.prefix(Int(copied)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
