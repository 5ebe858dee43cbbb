import Foundation
import Queue

/// Tells systemd how a `Type=notify` service is doing: `READY=1` once it serves, `STATUS=` lines, and
/// `WATCHDOG=1` at half the unit's `WatchdogSec` while a liveness check passes, as datagrams to
/// `$NOTIFY_SOCKET` (the protocol is one datagram per message; no library is needed). Without
/// `$NOTIFY_SOCKET` every call does nothing.
public final class SystemdNotifier: Sendable {
    /// The socket's address; nil when not run by systemd.
    private let address: Data?
    /// How often the watchdog is fed: half `$WATCHDOG_USEC`, when it is set for this process.
    public let watchdogInterval: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        address = environment["NOTIFY_SOCKET"].flatMap(Self.socketAddress)
        let forThisProcess = environment["WATCHDOG_PID"].map { $0 == String(getpid()) } ?? true
        if address != nil, forThisProcess, let text = environment["WATCHDOG_USEC"], let micros = Int64(text), micros > 0
        {
            watchdogInterval = .microseconds(micros / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// The service is up: it accepts work.
    public func ready(status: String) {
        send("READY=1\nSTATUS=\(status)")
    }

    public func status(_ status: String) {
        send("STATUS=\(status)")
    }

    /// The service is waiting for its database before it can start: systemd is told why, and that the
    /// start goes on (`EXTEND_TIMEOUT_USEC`, past the next attempt and the longest a connection attempt
    /// takes), so the unit neither times out nor is killed by its watchdog while the process waits as told.
    public func waiting(status: String, next: Duration) {
        let extended = (next + .seconds(180)).wholeMilliseconds * 1_000
        send("STATUS=\(status)\nEXTEND_TIMEOUT_USEC=\(extended)\nWATCHDOG=1")
    }

    /// The service is stopping.
    public func stopping(status: String) {
        send("STOPPING=1\nSTATUS=\(status)")
    }

    /// Feeds the watchdog every `watchdogInterval` while `store` answers (a read of its change counter),
    /// until cancelled; a process whose database stops answering, or that hangs, is left for systemd to
    /// restart.
    public func feedWatchdog(whileAnswering store: JobStore) -> Task<Void, Never>? {
        guard let interval = watchdogInterval else { return nil }
        return Task {
            while !Task.isCancelled {
                if (try? await store.changeCounter()) != nil {
                    send("WATCHDOG=1")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func send(_ message: String) {
        guard let address else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(message.utf8)
        _ = address.withUnsafeBytes { socketAddress in
            sendto(
                descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL),
                socketAddress.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(socketAddress.count))
        }
    }

    /// A `sockaddr_un` for a path, or for an abstract name (`@name`); nil when the path is too long.
    private static func socketAddress(_ path: String) -> Data? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") {
            bytes[0] = 0
        }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout<sa_family_t>.size + bytes.count
        return withUnsafeBytes(of: &address) { Data($0.prefix(length)) }
    }
}
