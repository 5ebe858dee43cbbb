import Foundation

/// Where a server listens: `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`.
package struct ListenAddress: Sendable, CustomStringConvertible {
    package let host: String
    package let port: UInt16

    /// - Returns: nil when `text` is not an IPv4 or bracketed IPv6 address with a port.
    package init?(_ text: String) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let number = UInt16(port), Self.socketAddress(String(host), port: number) != nil else { return nil }
        self.host = String(host)
        self.port = number
    }

    package init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    package var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The address as a socket address, IPv4 or IPv6; nil when the host is not a numeric address.
    static func socketAddress(_ host: String, port: UInt16) -> Data? {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            return withUnsafeBytes(of: &v4) { Data($0) }
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            return withUnsafeBytes(of: &v6) { Data($0) }
        }
        return nil
    }
}
