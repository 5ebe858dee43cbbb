import Foundation

/// An HTTP response: status, headers (names lowercased) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    /// `Retry-After` in seconds from now: its delay in seconds (the providers send seconds, some with a
    /// fraction), or the time from now to its HTTP-date (negative once past); nil when absent or neither.
    /// Not bounded: `Duration.providerWait` makes a wait of it.
    public var retryAfterSeconds: Double? {
        guard let value = headers["retry-after"] else { return nil }
        if let seconds = Double(value), seconds.isFinite {
            return seconds
        }
        return HTTPDate.parse(value).map { $0.timeIntervalSinceNow }
    }
}
