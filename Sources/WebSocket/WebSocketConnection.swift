import Foundation
import Synchronization

/// What a client connection delivers: messages, in order, then how it closed.
public enum WebSocketEvent: Sendable {
    case message(WebSocketMessage)
    /// The last event.
    case closed(WebSocketClosure)
}

/// A WebSocket client connection (libwebsockets), with its own service thread.
///
/// `events` yields each message the peer sent and ends with `.closed`; `send` and `close` may be called
/// from any thread. Dropping the connection without closing it drops the socket.
public final class WebSocketConnection: Sendable {
    /// The peer's messages, then how the connection closed.
    public let events: AsyncStream<WebSocketEvent>
    private let loop: ServiceLoop
    private let socket: SocketID

    private init(events: AsyncStream<WebSocketEvent>, loop: ServiceLoop, socket: SocketID) {
        self.events = events
        self.loop = loop
        self.socket = socket
    }

    deinit {
        loop.stop()
    }

    /// Opens a connection to `url` (`ws://` or `wss://`, the query included) and waits for the upgrade.
    /// - Parameters:
    ///   - keepalive: WebSocket pings on an idle connection, and when to give up on it.
    ///   - timeout: how long the connection and its upgrade may take (a server that accepts the connection
    ///     and never answers the upgrade would otherwise hold it forever).
    /// - Throws: `WebSocketError` when the URL is not a WebSocket URL, the connection or the upgrade
    ///   fails or takes longer than `timeout`, or the task is cancelled while it opens.
    public static func open(
        _ url: String, keepalive: WebSocketKeepalive? = nil, timeout: Duration = .seconds(20)
    ) async throws(WebSocketError) -> WebSocketConnection {
        let address = try WebSocketAddress(url)
        let (events, continuation) = AsyncStream<WebSocketEvent>.makeStream()
        let opening = Opening()
        let loop = ServiceLoop.client(to: address, keepalive: keepalive) { event in
            switch event {
            case .opened(let socket, _, _):
                opening.resolve(.success(socket))
            case .failedToOpen(let detail):
                opening.resolve(.failure(WebSocketError(address: address.redacted, detail: detail)))
            case .received(let message, _):
                continuation.yield(.message(message))
            case .closed(_, let closure):
                continuation.yield(.closed(closure))
                continuation.finish()
            case .ended:
                opening.resolve(.failure(WebSocketError(address: address.redacted, detail: "stopped while opening")))
                continuation.finish()
            }
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            opening.resolve(
                .failure(
                    WebSocketError(address: address.redacted, detail: "no answer to the upgrade within \(timeout)")))
        }
        let opened = await withTaskCancellationHandler {
            await opening.wait()
        } onCancel: {
            loop.stop()
        }
        timer.cancel()
        switch opened {
        case .success(let socket):
            return WebSocketConnection(events: events, loop: loop, socket: socket)
        case .failure(let error):
            loop.stop()
            throw error
        }
    }

    /// Queues `message`; it goes out in order with the others. Dropped once the connection has closed.
    public func send(_ message: WebSocketMessage) {
        loop.send(message, to: socket)
    }

    /// Closes the connection with `code` after what was sent before; `events` ends with `.closed`.
    public func close(code: UInt16 = 1000, reason: String = "") {
        loop.close(socket, code: code, reason: reason)
    }

    /// Drops the connection at once, without a close frame (as a crash would).
    public func abandon() {
        loop.stop()
    }
}

/// The outcome of an opening connection, for whichever comes first: the event or the waiter.
private final class Opening: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Result<SocketID, WebSocketError>, Never>?)
        case resolved(Result<SocketID, WebSocketError>)
    }

    private let state = Mutex(State.waiting(nil))

    /// Records the outcome; only the first counts.
    func resolve(_ result: Result<SocketID, WebSocketError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<SocketID, WebSocketError>, Never>? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .resolved(result)
            return waiter
        }
        waiter?.resume(returning: result)
    }

    func wait() async -> Result<SocketID, WebSocketError> {
        await withCheckedContinuation { continuation in
            let resolved = state.withLock { state -> Result<SocketID, WebSocketError>? in
                switch state {
                case .resolved(let result): return result
                case .waiting: state = .waiting(continuation)
                }
                return nil
            }
            if let resolved { continuation.resume(returning: resolved) }
        }
    }
}
