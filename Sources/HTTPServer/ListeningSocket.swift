import Foundation

/// The server's listening socket, bound here rather than by libmicrohttpd so that a failure says exactly
/// why (libmicrohttpd returns only NULL), and so that an address already in use is refused unless sharing
/// was asked for.
///
/// `SO_REUSEADDR` is always set: it lets a restarted server bind while the old one's connections linger
/// in TIME_WAIT, and never lets two listeners share a port. `SO_REUSEPORT` is set only when asked: with
/// it on both, two servers share a port and the kernel splits the connections between them, which is
/// a deliberate setup (a rolling restart), never an accident. Closed in `deinit` unless handed over.
final class ListeningSocket {
    private var descriptor: Int32
    /// The port bound (the one the system picked, when asked for port 0).
    let port: UInt16
    let isIPv6: Bool

    /// Binds and listens on `address`.
    /// - Throws: `HTTPServerError` naming the address and the reason (`.addressInUse` when another
    ///   socket listens there).
    init(address: ListenAddress, sharingPort: Bool) throws(HTTPServerError) {
        guard let socketAddress = ListenAddress.socketAddress(address.host, port: address.port) else {
            throw HTTPServerError(.invalidAddress, "\(address) is not a numeric IPv4 or IPv6 address with a port")
        }
        let isIPv6 = socketAddress.count == MemoryLayout<sockaddr_in6>.size
        let descriptor = socket(
            isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Self.failure("socket", address) }
        do throws(HTTPServerError) {
            try Self.set(descriptor, SOL_SOCKET, SO_REUSEADDR, address)
            if sharingPort {
                try Self.set(descriptor, SOL_SOCKET, SO_REUSEPORT, address)
            }
            if isIPv6 {
                // An IPv6 address means that address only, not IPv4 as well.
                try Self.set(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, address)
            }
            let bound = socketAddress.withUnsafeBytes { bytes in
                bind(
                    descriptor, bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
            }
            guard bound == 0 else { throw Self.failure("bind", address) }
            guard listen(descriptor, SOMAXCONN) == 0 else { throw Self.failure("listen", address) }
            port = try Self.boundPort(descriptor, address)
        } catch {
            close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.isIPv6 = isIPv6
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
        }
    }

    /// The descriptor, for libmicrohttpd to own from now on: this wrapper no longer closes it.
    func handOver() -> Int32 {
        defer { descriptor = -1 }
        return descriptor
    }

    private static func set(_ descriptor: Int32, _ level: Int32, _ option: Int32, _ address: ListenAddress)
        throws(HTTPServerError)
    {
        var on: Int32 = 1
        guard setsockopt(descriptor, level, option, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw failure("setsockopt", address)
        }
    }

    /// The port a bound socket has (the one the system picked, for port 0).
    private static func boundPort(_ descriptor: Int32, _ address: ListenAddress) throws(HTTPServerError) -> UInt16 {
        var bytes = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &bytes) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw failure("getsockname", address) }
        return withUnsafeBytes(of: &bytes) { raw in
            // sin_port and sin6_port lie at the same offset, after the family, in network byte order.
            UInt16(bigEndian: raw.load(fromByteOffset: MemoryLayout<sa_family_t>.size, as: UInt16.self))
        }
    }

    private static func failure(_ call: String, _ address: ListenAddress) -> HTTPServerError {
        let code = errno
        if call == "bind" && code == EADDRINUSE {
            return HTTPServerError(.addressInUse, "cannot listen on \(address): the address is in use")
        }
        return HTTPServerError(
            .cannotListen, "cannot listen on \(address): \(call): \(String(cString: strerror(code)))")
    }
}

@available(*, unavailable)
extension ListeningSocket: Sendable {}
