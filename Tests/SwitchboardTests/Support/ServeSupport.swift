import Foundation
import HTTPClient
import Harness
import JSON
import Workers

/// A `switchboard serve` started for a test, with the client the test talks to it through (libcurl).
struct TestServer {
    let process: ServeProcess
    let client: HTTPClient

    var baseURL: String { process.baseURL }
    var child: SwitchboardChild { process.child }

    /// Starts `switchboard --json serve --listen 127.0.0.1:0 ARGUMENTS` on `database`.
    init(_ arguments: [String] = [], database: String, clientThreads: Int = 8) async throws {
        let child = try SwitchboardProcess.start(
            ["--json", "serve", "--listen", "127.0.0.1:0"] + arguments, database: database)
        process = try await ServeProcess(child)
        client = HTTPClient(maxInFlight: clientThreads)
    }

    /// Sends a request and returns its status and body; the client's own failures throw.
    func send(
        _ method: HTTPRequest.Method, _ path: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> (status: Int, body: String) {
        let request = HTTPRequest(
            method, baseURL + path, headers: headers, body: body, connectTimeout: .seconds(5), totalTimeout: timeout)
        let response = try await client.send(request)
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// Posts a JSON body.
    func post(_ path: String, _ body: String, headers: [(name: String, value: String)] = []) async throws -> (
        status: Int, body: String
    ) {
        try await send(.post, path, headers: [("Content-Type", "application/json")] + headers, body: Data(body.utf8))
    }

    /// The `status` field of an intake answer.
    static func intakeStatus(_ body: String) -> String? {
        guard case .object(let object)? = try? JSONParser.parse(Data(body.utf8)) else { return nil }
        return object["status"]?.stringValue
    }
}

/// A TCP connection on loopback driven byte by byte: a slow or stalled client, or one that sends what
/// no HTTP library will (two Content-Length headers), which no HTTP library plays on purpose.
final class RawConnection: @unchecked Sendable {
    // @unchecked Sendable: the socket is used by one call at a time.
    private let socket: Int32

    /// Connects to 127.0.0.1:`port` from `source` (any loopback address, 127.0.0.1 to 127.255.255.254),
    /// so a test can play several clients.
    init(port: Int, from source: String = "127.0.0.1") throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw HarnessFailure("cannot open a socket: errno \(errno)") }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, connected == 0 else {
            let code = errno
            close(socket)
            throw HarnessFailure("cannot connect to 127.0.0.1:\(port) from \(source): errno \(code)")
        }
    }

    deinit {
        close(socket)
    }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the server has ended the connection (closed, shut down, or refused it at accept), looked
    /// at without waiting and without consuming anything it sent.
    var isEndedByServer: Bool {
        var byte: UInt8 = 0
        let count = recv(socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count == 0 { return true }
        return count < 0 && errno != EAGAIN && errno != EWOULDBLOCK
    }

    /// Waits up to `timeout` for the server to close the connection, off the cooperative pool (a blocked
    /// pool thread would stall every other test's tasks); what it sent before, or nil if it kept the
    /// connection open that long.
    func waitForClose(timeout: Duration) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: self.blockingWaitForClose(timeout: timeout))
            }
        }
    }

    private func blockingWaitForClose(timeout: Duration) -> String? {
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { return String(decoding: received, as: UTF8.self) }
            if count < 0 { return errno == ECONNRESET ? String(decoding: received, as: UTF8.self) : nil }
            received.append(contentsOf: buffer[..<count])
        }
    }
}

/// Raises this process's soft limit on open files to its hard limit, for tests that hold a thousand
/// connections; returns the limit now in force.
@discardableResult
func raiseOpenFileLimit() -> UInt64 {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    if limit.rlim_cur < limit.rlim_max {
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
            limit = raised
        }
    }
    return UInt64(limit.rlim_cur)
}
