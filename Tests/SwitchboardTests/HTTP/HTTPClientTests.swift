import Foundation
import HTTPClient
import HTTPServer
import Synchronization
import Testing

/// The client drives every request from one thread through libcurl's multi interface, over loopback to a
/// real server here.
@Suite("The HTTP client", .timeLimit(.minutes(2)))
struct HTTPClientTests {
    /// Counts the requests the server is handling at once, and holds each until released.
    final class Gate: Sendable {
        private let state = Mutex((inside: 0, most: 0, released: false, waiters: [CheckedContinuation<Void, Never>]()))
        let arrivals: AsyncStream<Void>
        private let arrived: AsyncStream<Void>.Continuation

        init() {
            (arrivals, arrived) = AsyncStream.makeStream()
        }

        var most: Int { state.withLock { $0.most } }

        func pass() async {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    state.inside += 1
                    state.most = max(state.most, state.inside)
                    if !state.released { state.waiters.append(continuation) }
                    return state.released
                }
                arrived.yield()
                if open { continuation.resume() }
            }
            state.withLock { $0.inside -= 1 }
        }

        func release() {
            let waiters = state.withLock { state in
                state.released = true
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume() }
        }
    }

    private func server(_ gate: Gate? = nil) throws -> HTTPServer {
        try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { request in
            await gate?.pass()
            return .text(200, "answer to \(request.path)")
        }
    }

    @Test("two hundred requests sent at once all come back, each with its own answer")
    func manyAtOnce() async throws {
        let server = try server()
        let client = HTTPClient(maxInFlight: 32)
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let response = try await client.send(HTTPRequest(.get, "http://127.0.0.1:\(server.port)/\(index)"))
                    #expect(response.status == 200)
                    return (index, String(decoding: response.body, as: UTF8.self))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 200)
        #expect(answers.allSatisfy { $0.value == "answer to /\($0.key)" })
    }

    @Test("no more requests than maxInFlight reach the server at once; the others wait their turn")
    func inFlightLimit() async throws {
        let gate = Gate()
        let server = try server(gate)
        let client = HTTPClient(maxInFlight: 3)
        let sends = (0..<8).map { index in
            Task { try await client.send(HTTPRequest(.post, "http://127.0.0.1:\(server.port)/\(index)", body: Data())) }
        }
        var arrivals = gate.arrivals.makeAsyncIterator()
        for _ in 0..<3 { await arrivals.next() }
        #expect(gate.most == 3)
        gate.release()
        for send in sends {
            #expect(try await send.value.status == 200)
        }
        #expect(gate.most == 3)
    }

    @Test(
        "cancelling a request that waits on a slow server ends it while the server still holds it, and the client goes on"
    )
    func cancelWhileWaiting() async throws {
        let gate = Gate()
        let server = try server(gate)
        let client = HTTPClient(maxInFlight: 4)
        // Only the cancel can end this request before the server answers: its own timeout is far away.
        let slow = Task {
            try await client.send(
                HTTPRequest(.get, "http://127.0.0.1:\(server.port)/slow", totalTimeout: .seconds(600)))
        }
        var arrivals = gate.arrivals.makeAsyncIterator()
        await arrivals.next()
        slow.cancel()
        let error = await #expect(throws: HTTPError.self) { try await slow.value }
        #expect(error?.code == .cancelled)
        gate.release()
        let next = try await client.send(HTTPRequest(.get, "http://127.0.0.1:\(server.port)/next"))
        #expect(String(decoding: next.body, as: UTF8.self) == "answer to /next")
    }

    @Test("a multipart form libcurl writes is read back part by part by libmicrohttpd's post processor")
    func multipartRoundTrip() async throws {
        let received = Mutex<[ReceivedFormPart]?>(nil)
        var limits = HTTPServer.Limits()
        limits.readsForms = true
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), limits: limits) { request in
            received.withLock { $0 = request.formParts }
            return .text(200, "read")
        }
        defer { Task { await server.stop() } }
        // Bytes that look like a boundary and line ends inside the file, every byte value, and a field in UTF-8.
        let file =
            Data("--\r\n--boundary\r\nContent-Disposition: form-data\r\n\r\n".utf8) + Data((0..<256).map { UInt8($0) })
            + Data(repeating: 0x2D, count: 100_000)
        let parts: [FormPart] = [
            .field("caption", "a chart, “quoted” ✓"), .field("empty", ""),
            .file("document", file, fileName: "report final.pdf", contentType: "application/pdf"),
        ]
        let response = try await HTTPClient(maxInFlight: 1).send(
            .form("http://127.0.0.1:\(server.port)/upload", parts))
        #expect(response.status == 200)
        let read = try #require(received.withLock { $0 })
        #expect(read.map(\.name) == ["caption", "empty", "document"])
        #expect(read.first?.data == Data("a chart, “quoted” ✓".utf8))
        #expect(read[1].data.isEmpty)
        #expect(read.last?.fileName == "report final.pdf")
        #expect(read.last?.contentType == "application/pdf")
        #expect(read.last?.data == file, "the file's \(file.count) bytes, exactly")
    }

    @Test("a body that says it is multipart but is not is 400, before any handler sees it")
    func malformedMultipart() async throws {
        let handled = Mutex(0)
        var limits = HTTPServer.Limits()
        limits.readsForms = true
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), limits: limits) { _ in
            handled.withLock { $0 += 1 }
            return .text(200, "read")
        }
        defer { Task { await server.stop() } }
        let response = try await HTTPClient(maxInFlight: 1).send(
            HTTPRequest(
                .post, "http://127.0.0.1:\(server.port)/upload",
                headers: [("Content-Type", "multipart/form-data; boundary=XYZ")],
                body: Data("--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated".utf8)))
        #expect(response.status == 400)
        #expect(handled.withLock { $0 } == 0)
        // A server that does not read forms (serve) hands the same body over as bytes, unread.
        let plain = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { request in
            .text(200, request.formParts == nil ? "bytes: \(request.body.count)" : "parts")
        }
        defer { Task { await plain.stop() } }
        var unread = HTTPRequest(
            .post, "http://127.0.0.1:\(plain.port)/upload",
            headers: [("Content-Type", "multipart/form-data; boundary=XYZ")])
        unread.body = Data("--XYZ\r\nunterminated".utf8)
        let answer = try await HTTPClient(maxInFlight: 1).send(unread)
        #expect(answer.status == 200 && String(decoding: answer.body, as: UTF8.self) == "bytes: 19")
    }
}
