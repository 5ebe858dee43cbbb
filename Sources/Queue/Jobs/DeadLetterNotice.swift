import Foundation

/// A job to enqueue, with the same payload, if the job that names it is dead-lettered: in the same
/// transaction that dead-letters it, whichever worker or claim does so.
public struct DeadLetterNotice: Sendable, Equatable {
    public var queue: String
    public var kind: String

    public init(queue: String, kind: String) {
        self.queue = queue
        self.kind = kind
    }
}
