import Foundation

/// An IPv4 or IPv6 address: a request's client, or a reverse proxy the configuration trusts.
///
/// Kept as its bytes (4 or 16), so two spellings of one address (`::1`, `0:0::1`) are one value. An
/// IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports for an IPv4 client)
/// is the IPv4 address.
package struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, in network order.
    package let bytes: [UInt8]

    /// - Returns: nil when `text` is not a numeric IPv4 or IPv6 address (no brackets, no port, no zone).
    package init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(unmapping: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self.init(unmapping: withUnsafeBytes(of: &v6) { Array($0) })
    }

    /// The address in a socket address; nil for a family other than IPv4 and IPv6.
    package init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let bytes = UnsafeRawPointer(address).withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) }
            }
            self.init(unmapping: bytes)
        case AF_INET6:
            let bytes = UnsafeRawPointer(address).withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
            }
            self.init(unmapping: bytes)
        default:
            return nil
        }
    }

    private init(unmapping bytes: [UInt8]) {
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
        self.bytes = bytes.count == 16 && bytes.starts(with: mappedPrefix) ? Array(bytes[12...]) : bytes
    }

    package var isIPv4: Bool { bytes.count == 4 }

    /// 127.0.0.0/8 or ::1: only this host can connect from or to it.
    package var isLoopback: Bool {
        isIPv4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    /// What a client is counted as when its failures are limited: an IPv4 address whole, an IPv6
    /// address by its /64 network, the block one subscriber is routinely given (counting each of its
    /// 2^64 addresses apart would let one client pass for as many).
    package var network: IPAddress {
        isIPv4 ? self : IPAddress(exact: Array(bytes[..<8]) + Array(repeating: 0, count: 8))
    }

    private init(exact bytes: [UInt8]) {
        self.bytes = bytes
    }

    package var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        // The buffer holds the longest address either family can be written as, so this cannot fail.
        _ = bytes.withUnsafeBytes { raw in
            inet_ntop(isIPv4 ? AF_INET : AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
