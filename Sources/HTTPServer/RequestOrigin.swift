import Foundation

/// Who sent a request and how, seen through the reverse proxies the configuration trusts.
///
/// `serve` speaks plain HTTP; TLS ends at a proxy in front of it, which says what it saw in
/// `X-Forwarded-For` and `X-Forwarded-Proto`. Anyone can send those headers, so they are believed only
/// from a trusted proxy's address; from anyone else the connection's own address is the client and the
/// request is plain HTTP.
package struct RequestOrigin: Sendable {
    package let trustedProxies: Set<IPAddress>

    /// The proxies trusted unless the configuration names others: loopback, where a proxy on the same
    /// host connects from (and where `serve` listens unless told otherwise).
    package static let loopback: Set<IPAddress> = [IPAddress("127.0.0.1")!, IPAddress("::1")!]

    package init(trustedProxies: Set<IPAddress>) {
        self.trustedProxies = trustedProxies
    }

    /// The client's address: the connection's, or, when that is a trusted proxy, the right-most address
    /// in `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it was connected
    /// from, so the ones left of the last trusted proxy's entry are the client's to make up). A forwarded
    /// entry that is not an address stops the walk at the proxy that passed it on.
    package func client(of request: ServerRequest) -> IPAddress? {
        guard var client = request.clientAddress, trustedProxies.contains(client),
            let forwarded = request.headers["x-forwarded-for"]
        else { return request.clientAddress }
        for entry in forwarded.split(separator: ",").reversed() {
            guard let address = IPAddress(entry.trimmingCharacters(in: .whitespaces)) else { break }
            client = address
            if !trustedProxies.contains(address) { break }
        }
        return client
    }

    /// Whether the request reached the proxy over HTTPS: a trusted proxy's `X-Forwarded-Proto` (its last
    /// value, the one that proxy set) says `https`.
    package func isHTTPS(_ request: ServerRequest) -> Bool {
        guard let peer = request.clientAddress, trustedProxies.contains(peer),
            let proto = request.headers["x-forwarded-proto"]?.split(separator: ",").last
        else { return false }
        return proto.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }
}
