import Foundation

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
