import Foundation

/// A `ws://` or `wss://` URL split the way libwebsockets connects: host, port, path with its query,
/// and whether to use TLS.
struct WebSocketAddress: Sendable, Equatable {
    var usesTLS: Bool
    var host: String
    var port: Int
    /// The path and query sent in the upgrade request (`/link/?ticket=...`).
    var pathAndQuery: String

    /// The address without its query, for errors and logs: a socket URL's query often carries a ticket.
    var redacted: String {
        let path = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return "\(usesTLS ? "wss" : "ws")://\(host):\(port)\(path)"
    }

    /// The `Host` header: the host, with the port when it is not the scheme's own.
    var hostHeader: String {
        port == (usesTLS ? 443 : 80) ? host : "\(host):\(port)"
    }

    /// Splits `url`.
    /// - Throws: `WebSocketError` when it is not a `ws://` or `wss://` URL with a host.
    init(_ url: String) throws(WebSocketError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty
        else {
            // Named by its scheme and host only: the rest (a ticket in the query, a password before the
            // host) may be a secret.
            let parts = URLComponents(string: url)
            let named = [parts?.scheme.map { $0 + "://" }, parts?.host].compactMap { $0 }.joined()
            throw WebSocketError(
                address: named.isEmpty ? "(not a URL)" : named, detail: "not a ws:// or wss:// URL with a host")
        }
        usesTLS = scheme == "wss"
        self.host = host
        port = components.port ?? (usesTLS ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        pathAndQuery = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }
}
