import Foundation

/// An HTTP request to a provider or an agent.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    /// Bytes of the response body kept; the rest is dropped. No provider answer Switchboard reads is
    /// near the default.
    public var maxResponseBytes = 1 << 20

    public init(
        _ method: Method, _ url: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        connectTimeout: Duration = .seconds(5), totalTimeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    /// A POST of a JSON body.
    public static func json(_ url: String, _ body: Data, headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(.post, url, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: body)
    }
}

/// An HTTP response: status, headers (names lowercased) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    /// `Retry-After` in seconds (the providers send seconds, never an HTTP date), if present.
    public var retryAfter: Duration? {
        headers["retry-after"].flatMap(Double.init).map { .milliseconds(Int64(($0 * 1000).rounded(.up))) }
    }
}

/// A request that got no HTTP response.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The connection could not be made (refused, unreachable, name not resolved, TLS failure).
        case connect
        /// No complete response within the timeout.
        case timeout
        /// The connection broke before the response was complete.
        case connectionDropped = "connection_dropped"
        /// The request was cancelled.
        case cancelled
        /// Anything else libcurl refused.
        case other
    }

    public let code: Code
    /// libcurl's explanation; it never contains the request's URL or body.
    public let message: String

    public var description: String { "\(code.rawValue): \(message)" }
}
