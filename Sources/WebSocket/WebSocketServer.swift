import Foundation

/// A WebSocket server on loopback (libwebsockets), for the fake provider and tests: it reports each
/// peer's opening, messages and closing to one handler, on its service thread, and sends or closes on
/// request from any thread.
package final class WebSocketServer: Sendable {
    /// One connected peer.
    package struct Peer: Hashable, Sendable {
        let socket: SocketID
    }

    /// What the server reports.
    package enum Event: Sendable {
        /// A peer connected to `path` (without the query) with `query`.
        case opened(Peer, path: String, query: String)
        case received(WebSocketMessage, from: Peer)
        case closed(Peer, WebSocketClosure)
    }

    /// The port it listens on.
    package let port: UInt16
    private let loop: ServiceLoop

    /// Listens on 127.0.0.1:`port` (0 picks a free port).
    package init(port: UInt16 = 0, handler: @escaping @Sendable (Event) -> Void) throws(WebSocketError) {
        (loop, self.port) = try ServiceLoop.server(port: port) { event in
            switch event {
            case .opened(let socket, let path, let query):
                handler(.opened(Peer(socket: socket), path: path, query: query))
            case .received(let message, let socket): handler(.received(message, from: Peer(socket: socket)))
            case .closed(let socket, let closure): handler(.closed(Peer(socket: socket), closure))
            case .failedToOpen, .ended: break
            }
        }
    }

    deinit {
        loop.stop()
    }

    package func send(_ message: WebSocketMessage, to peer: Peer) {
        loop.send(message, to: peer.socket)
    }

    /// Closes `peer`'s connection with `code` after what was sent to it before.
    package func close(_ peer: Peer, code: UInt16, reason: String = "") {
        loop.close(peer.socket, code: code, reason: reason)
    }

    /// Stops listening and drops every connection without a close frame.
    package func stop() {
        loop.stop()
    }
}
