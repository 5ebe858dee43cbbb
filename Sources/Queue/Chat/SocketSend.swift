import Queue

/// A frame queued for a bot's socket (`stream`, e.g. "wecom:BOTID"), sent by the process holding that stream.
///
/// Some providers (WeCom's AI bot) take replies only over the socket their messages came in on, which one
/// `receive` process of the fleet holds (`StreamHold`), while replies are made by workers. A worker queues
/// each reply frame here; the holder sends the pending ones and finishes each when its receipt comes, and
/// a holder that takes over after another died sends what is still pending.
public struct SocketSend: Sendable, Equatable {
    /// The most UTF-8 bytes a frame may have (1 MiB).
    static let maxFrameBytes = 1 << 20
    /// The most frames one read of the pending ones may return.
    static let maxLimit = 1_000
    /// How long a finished frame is kept before a later finish may delete it.
    static let finishedRetention: Duration = .seconds(60 * 60)
    /// The most finished frames one finish deletes: the table is pruned a batch at a time, never in one
    /// long transaction.
    static let pruneBatch = 500

    /// Rises in the order frames were queued; never reused, even once the frames before it are deleted.
    ///
    /// On PostgreSQL, of two queueings under way at once the one with the lower id may commit last, so a
    /// frame can become pending after one with a higher id: read what is pending, never what follows the
    /// last id seen.
    public var id: Int64
    /// The socket the frame goes out on: the stream its holder holds.
    public var stream: String
    /// The text frame as it goes on the socket (JSON).
    public var frame: String

    package init(id: Int64, stream: String, frame: String) {
        self.id = id
        self.stream = stream
        self.frame = frame
    }

    /// Refuses a frame no socket send can have: empty, over `maxFrameBytes`, or holding U+0000 (which
    /// PostgreSQL's `text` cannot store).
    /// - Throws: `QueueError.invalidArgument` naming `frame`, never the value.
    static func checkFrame(_ frame: String) throws {
        if frame.isEmpty {
            throw QueueError.invalid("frame", "must not be empty")
        }
        if frame.utf8.count > maxFrameBytes || frame.utf8.contains(0) {
            throw QueueError.invalid("frame", "must be at most 1 MiB of text without U+0000")
        }
    }

    /// Refuses a read of fewer than one frame or more than `maxLimit`.
    /// - Throws: `QueueError.invalidArgument` naming `limit`.
    static func checkLimit(_ limit: Int) throws {
        if !(1...maxLimit).contains(limit) {
            throw QueueError.invalid("limit", "must be from 1 to \(maxLimit)")
        }
    }
}
