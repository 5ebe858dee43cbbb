import Foundation
import Synchronization

/// A connection of its own that `LISTEN`s on a channel, on a thread of its own, and counts what it hears.
///
/// The count is a hint, never the truth: idle workers poll it and look at the queue when it moves. When
/// the connection breaks, or `LISTEN` is refused (a transaction-mode connection pooler), the count moves
/// every `fallbackInterval` instead, so workers fall back to polling, and the listener keeps trying to
/// connect again with backoff. A reconnect moves the count too: a notice may have been missed meanwhile.
final class PostgresListener: Sendable {
    /// How this process's connections name themselves to the server (`pg_stat_activity`).
    static let applicationName = "switchboard pid \(getpid())"

    /// How often the count moves while nothing is listened to.
    static let fallbackInterval = Duration.milliseconds(250)

    /// What the listening thread and the store share.
    private final class Shared: Sendable {
        let counter = Atomic<Int64>(0)
        let stopped = Atomic<Bool>(false)
    }

    private let shared = Shared()

    init(url: String, channel: String) {
        let thread = Thread { [shared] in
            Self.listen(url: url, channel: channel, shared: shared)
        }
        thread.name = "switchboard.postgres.listen"
        thread.start()
    }

    deinit {
        shared.stopped.store(true, ordering: .releasing)
    }

    /// A number that moves whenever work may have become runnable.
    var changeCounter: Int64 {
        shared.counter.load(ordering: .acquiring)
    }

    private static func listen(url: String, channel: String, shared: Shared) {
        var backoff = fallbackInterval
        while !shared.stopped.load(ordering: .acquiring) {
            do {
                let connection = try PGConnection(url: url)
                try connection.execute("SET application_name TO '\(applicationName)'")
                try connection.execute("LISTEN \(channel)")
                shared.counter.add(1, ordering: .releasing)
                backoff = fallbackInterval
                while !shared.stopped.load(ordering: .acquiring) {
                    var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&descriptor, 1, Int32(fallbackInterval.seconds * 1_000))
                    if ready < 0 && errno != EINTR {
                        break
                    }
                    let heard = try connection.takeNotifications()
                    if heard > 0 {
                        shared.counter.add(Int64(heard), ordering: .releasing)
                    }
                }
            } catch {
                // Not listening: move the count on a timer until a connection listens again.
                let until = ContinuousClock.now + backoff
                while !shared.stopped.load(ordering: .acquiring) && ContinuousClock.now < until {
                    shared.counter.add(1, ordering: .releasing)
                    usleep(UInt32(fallbackInterval.seconds * 1_000_000))
                }
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
