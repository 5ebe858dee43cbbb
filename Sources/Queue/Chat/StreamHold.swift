import Queue

/// Who holds a stream (a bot's socket connection) across the fleet, and until when.
///
/// Several `receive` processes may run for one bot; only the holder keeps its connection open, renewing
/// the hold well before it lapses, and another takes over once a dead holder's hold has lapsed.
public struct StreamHold: Sendable, Equatable {
    /// The most UTF-8 bytes a stream's or a holder's name may have.
    static let maxNameBytes = 256
    /// The longest a hold may be taken for: a holder that dies is replaced only once its hold lapses.
    static let maxLifetime: Duration = .seconds(24 * 60 * 60)

    /// Which stream, e.g. `discord:1234`: it names the bot, never a credential.
    public var stream: String
    /// The holding process's id.
    public var holder: String
    /// The fencing token: rises by one each time the hold passes to another holder (or is taken again
    /// after it lapsed or was released); unchanged by renewals. A write fenced with it (`StreamHoldFence`)
    /// is refused once the hold has moved on.
    public var token: Int64
    public var expiresAt: Timestamp

    package init(stream: String, holder: String, token: Int64, expiresAt: Timestamp) {
        self.stream = stream
        self.holder = holder
        self.token = token
        self.expiresAt = expiresAt
    }

    /// Refuses a stream or holder name no hold can have: empty, longer than `maxNameBytes`, or holding
    /// U+0000 (which PostgreSQL's `text` cannot store).
    /// - Throws: `QueueError.invalidArgument` naming `field`, never the value.
    static func checkName(_ name: String, _ field: String) throws {
        if name.isEmpty {
            throw QueueError.invalid(field, "must not be empty")
        }
        if name.utf8.count > maxNameBytes || name.utf8.contains(0) {
            throw QueueError.invalid(field, "must be at most \(maxNameBytes) bytes of text without U+0000")
        }
    }

    /// Refuses a lifetime that is not at least a millisecond (the unit times are stored in) or is longer
    /// than `maxLifetime`.
    /// - Throws: `QueueError.invalidArgument` naming `lifetime`.
    static func checkLifetime(_ lifetime: Duration) throws {
        if lifetime.wholeMilliseconds < 1 || lifetime > maxLifetime {
            throw QueueError.invalid("lifetime", "must be from 1 ms to 24 hours")
        }
    }
}
