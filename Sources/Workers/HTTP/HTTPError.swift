import Foundation

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
