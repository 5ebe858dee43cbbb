import Foundation

/// A request that got no HTTP response. The code is a struct over a private enum, so a new code breaks
/// no caller, and its text is safe as a metric label.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case connect
            case timeout
            case connectionDropped = "connection_dropped"
            case cancelled
            case tooLarge = "too_large"
            case other
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        public var description: String { base.rawValue }

        /// The connection could not be made (refused, unreachable, name not resolved, TLS failure).
        public static let connect = Code(.connect)
        /// No complete response within the timeout.
        public static let timeout = Code(.timeout)
        /// The connection broke before the response was complete.
        public static let connectionDropped = Code(.connectionDropped)
        /// The request was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The response's body grew past the request's `maxResponseBytes`, which it refuses larger bodies
        /// with: the transfer was stopped there.
        public static let tooLarge = Code(.tooLarge)
        /// Anything else libcurl refused.
        public static let other = Code(.other)
    }

    public let code: Code
    /// libcurl's explanation; it never contains the request's URL or body.
    public let message: String
    /// libcurl's own code for the failure (`CURLcode`), for the log.
    public let curlCode: Int32?

    public init(code: Code, message: String, curlCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { "\(code): \(message)" }
}
