import Foundation

/// A key that makes an enqueue idempotent while it lives.
public struct DedupeKey: Sendable, Equatable {
    public var key: String
    public var timeToLive: Duration

    public init(_ key: String, timeToLive: Duration) {
        self.key = key
        self.timeToLive = timeToLive
    }
}
