import Foundation
import Synchronization
import Testing
import WebSocket

/// The libwebsockets client against the libwebsockets server, over loopback: messages both ways, large
/// and binary ones, and each way a connection can end.
@Suite("WebSocket client and server", .timeLimit(.minutes(2)))
struct WebSocketTests {
    /// A server whose events a test reads in order.
    final class Recorder: Sendable {
        let events: AsyncStream<WebSocketServer.Event>
        private let continuation: AsyncStream<WebSocketServer.Event>.Continuation
        private(set) nonisolated(unsafe) var server: WebSocketServer!

        init(echo: Bool = false) throws {
            (events, continuation) = AsyncStream.makeStream()
            // The handler reaches the server weakly: a strong reference would keep it, and its thread, alive.
            let echoing = Echoing()
            server = try WebSocketServer { [continuation] event in
                if echo, case .received(let message, let peer) = event {
                    echoing.server.withLock { $0.server }?.send(message, to: peer)
                }
                continuation.yield(event)
            }
            echoing.server.withLock { $0.server = server }
        }

        var url: String { "ws://127.0.0.1:\(server.port)" }

        func next() async -> WebSocketServer.Event? {
            var iterator = events.makeAsyncIterator()
            return await iterator.next()
        }
    }

    /// The server an echoing handler answers through, held weakly.
    final class Echoing: Sendable {
        struct Weak {
            weak var server: WebSocketServer?
        }

        let server = Mutex(Weak())
    }

    private func nextMessage(_ connection: WebSocketConnection) async -> WebSocketMessage? {
        for await event in connection.events {
            if case .message(let message) = event { return message }
            return nil
        }
        return nil
    }

    private func closure(of connection: WebSocketConnection) async -> WebSocketClosure? {
        for await event in connection.events {
            if case .closed(let closure) = event { return closure }
        }
        return nil
    }

    @Test("the server sees the path and query, and text and binary messages come back in order")
    func echo() async throws {
        let recorder = try Recorder(echo: true)
        let connection = try await WebSocketConnection.open(recorder.url + "/link/?ticket=abc&app=1")
        guard case .opened(_, let path, let query)? = await recorder.next() else {
            Issue.record("no opening reported")
            return
        }
        #expect(path == "/link/")
        #expect(query.contains("ticket=abc"))
        let sent: [WebSocketMessage] = [
            .text("first"), .binary(Data([0, 1, 2, 255])), .text(#"{"envelope_id":"e1"}"#),
        ]
        sent.forEach(connection.send)
        var received: [WebSocketMessage] = []
        for _ in sent {
            if let message = await nextMessage(connection) { received.append(message) }
        }
        #expect(received == sent)
        connection.close()
    }

    @Test("a message of several hundred kilobytes arrives whole, in one piece")
    func largeMessage() async throws {
        let recorder = try Recorder(echo: true)
        let connection = try await WebSocketConnection.open(recorder.url)
        let big = Data((0..<400_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        connection.send(.binary(big))
        let echoed = await nextMessage(connection)
        #expect(echoed == .binary(big))
        connection.close()
    }

    @Test("the server's close code and reason reach the client, and the client's reach the server")
    func closeCodes() async throws {
        let recorder = try Recorder()
        let first = try await WebSocketConnection.open(recorder.url)
        guard case .opened(let peer, _, _)? = await recorder.next() else {
            Issue.record("no opening reported")
            return
        }
        recorder.server.close(peer, code: 4004, reason: "Authentication failed.")
        let closed = await closure(of: first)
        #expect(closed == WebSocketClosure(code: 4004, reason: "Authentication failed.", byUs: false))

        let second = try await WebSocketConnection.open(recorder.url)
        var serverSaw: WebSocketClosure?
        second.close(code: 4000, reason: "resuming")
        while let event = await recorder.next() {
            if case .closed(_, let closure) = event, closure.code == 4000 {
                serverSaw = closure
                break
            }
        }
        #expect(serverSaw?.reason == "resuming")
        #expect(await closure(of: second) == WebSocketClosure(code: 4000, reason: "resuming", byUs: true))
    }

    @Test("a server that goes away leaves the client with a dropped connection, not a hang")
    func serverGone() async throws {
        let recorder = try Recorder()
        let connection = try await WebSocketConnection.open(recorder.url)
        recorder.server.stop()
        let closed = await closure(of: connection)
        #expect(closed != nil)
        #expect(closed?.byUs == false)
    }

    @Test("opening a port nobody listens on fails with an error naming the address without its query")
    func refused() async throws {
        let port: UInt16
        do {
            let recorder = try Recorder()
            port = recorder.server.port
            recorder.server.stop()
        }
        let error = await #expect(throws: WebSocketError.self) {
            _ = try await WebSocketConnection.open("ws://127.0.0.1:\(port)/socket?ticket=secret")
        }
        #expect(error?.address == "ws://127.0.0.1:\(port)/socket")
        #expect(error?.description.contains("secret") == false)
    }

    @Test("a URL that is not ws:// or wss:// is refused before anything connects")
    func notWebSocket() async throws {
        await #expect(throws: WebSocketError.self) {
            _ = try await WebSocketConnection.open("https://example.com/socket")
        }
    }

    @Test("a server that accepts the connection and never answers the upgrade fails the opening at its timeout")
    func silentServer() async throws {
        // A listening socket nobody accepts from: the kernel completes the connection, nothing answers.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        #expect(bound)
        let port = UInt16(bigEndian: address.sin_port)
        // Only the deadline gives this error: without it the opening would wait for the suite's time limit.
        let error = await #expect(throws: WebSocketError.self) {
            _ = try await WebSocketConnection.open("ws://127.0.0.1:\(port)/", timeout: .milliseconds(500))
        }
        #expect(error?.detail.contains("no answer to the upgrade") == true, "\(String(describing: error))")
    }
}
