import Foundation
import Harness
import Testing

/// `work`, `serve` and `poll` speak systemd's notify protocol to the socket a test binds, as systemd would.
@Suite("systemd notifications", .serialized, .timeLimit(.minutes(3)))
struct SystemdNotifyTests {
    /// A datagram socket bound where `$NOTIFY_SOCKET` points.
    final class NotifySocket: @unchecked Sendable {
        // @unchecked Sendable: the descriptor is only read by blocking calls, one at a time.
        let path: String
        private let descriptor: Int32

        init(in directory: TestDirectory) throws {
            path = directory.path("notify.sock")
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw HarnessFailure("cannot bind \(path): errno \(errno)") }
            var limit = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(descriptor)
        }

        /// The next datagram, or nil after 10 s without one; read off the cooperative pool.
        func next() async -> String? {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var buffer = [UInt8](repeating: 0, count: 4_096)
                    let count = recv(self.descriptor, &buffer, buffer.count, 0)
                    continuation.resume(returning: count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self))
                }
            }
        }

        /// Datagrams until one satisfies `matches`; nil when none does within 10 s of the last.
        func next(where matches: (String) -> Bool) async -> String? {
            while let message = await next() {
                if matches(message) { return message }
            }
            return nil
        }
    }

    @Test(
        "READY with a status once serving, WATCHDOG at half WatchdogSec, STOPPING on SIGTERM, then exit 0",
        arguments: [["work", "--queue", "q", "--exec", "true"], ["serve", "--listen", "127.0.0.1:0"]])
    func notifies(command: [String]) async throws {
        let directory = try TestDirectory()
        let socket = try NotifySocket(in: directory)
        let process = try SwitchboardProcess.start(
            command, database: directory.databasePath,
            environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "200000"])
        defer { process.signal(SIGKILL) }
        let ready = await socket.next { $0.contains("READY=1") }
        #expect(ready?.contains("STATUS=") == true, "\(ready ?? "nothing")")
        #expect(await socket.next { $0 == "WATCHDOG=1" } != nil)
        #expect(await socket.next { $0 == "WATCHDOG=1" } != nil, "fed again")
        process.signal(SIGTERM)
        #expect(await socket.next { $0.hasPrefix("STOPPING=1") } != nil)
        #expect(await process.finish().status == 0)
    }

    @Test("without NOTIFY_SOCKET nothing is sent and nothing fails")
    func withoutSocket() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--exec", "true", "--drain"], database: directory.databasePath,
            environment: ["WATCHDOG_USEC": "200000"])
        #expect(result.status == 0)
    }
}
