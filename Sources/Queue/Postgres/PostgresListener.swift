import Foundation
import Synchronization

/// A connection of its own that `LISTEN`s on two channels, on a thread of its own, and counts what it
/// hears on each: runnable work, and cancels of leased jobs.
///
/// The counts are hints, never the truth: idle workers poll the first and look at the queue when it
/// moves; running workers poll the second and ask whether their leases still stand. When the connection
/// breaks, or `LISTEN` is refused (a transaction-mode connection pooler), both move every
/// `fallbackInterval` instead, so workers fall back to polling, and the listener keeps trying to connect
/// again with backoff. A reconnect moves them too: a notice may have been missed meanwhile.
final class PostgresListener: Sendable {
    /// How this process's connections name themselves to the server (`pg_stat_activity`).
    static let applicationName = "switchboard pid \(getpid())"

    /// How often the count moves while nothing is listened to.
    static let fallbackInterval = Duration.milliseconds(250)

    /// What the listening thread and the store share.
    private final class Shared: Sendable {
        let counter = Atomic<Int64>(0)
        let cancels = Atomic<Int64>(0)
        let stopped = Atomic<Bool>(false)

        /// Moves both counts: something may have been missed.
        func moveBoth() {
            counter.add(1, ordering: .releasing)
            cancels.add(1, ordering: .releasing)
        }
    }

    private let shared = Shared()

    init(url: String, channel: String, cancelChannel: String) {
        let thread = Thread { [shared] in
            Self.listen(url: url, channels: (channel, cancelChannel), shared: shared)
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

    /// A number that moves whenever a leased job may have been cancelled.
    var cancelCounter: Int64 {
        shared.cancels.load(ordering: .acquiring)
    }

    private static func listen(url: String, channels: (work: String, cancels: String), shared: Shared) {
        var backoff = fallbackInterval
        while !shared.stopped.load(ordering: .acquiring) {
            do {
                let connection = try PGConnection(url: url)
                try connection.execute("SET application_name TO '\(applicationName)'")
                try connection.execute("LISTEN \(channels.work)")
                try connection.execute("LISTEN \(channels.cancels)")
                shared.moveBoth()
                backoff = fallbackInterval
                while !shared.stopped.load(ordering: .acquiring) {
                    var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&descriptor, 1, Int32(fallbackInterval.seconds * 1_000))
                    if ready < 0 && errno != EINTR {
                        break
                    }
                    let heard = try connection.takeNotifications()
                    let cancels = heard.count { $0 == channels.cancels }
                    if cancels > 0 {
                        shared.cancels.add(Int64(cancels), ordering: .releasing)
                    }
                    if heard.count > cancels {
                        shared.counter.add(Int64(heard.count - cancels), ordering: .releasing)
                    }
                }
            } catch {
                // Not listening: move the count on a timer until a connection listens again.
                let until = ContinuousClock.now + backoff
                while !shared.stopped.load(ordering: .acquiring) && ContinuousClock.now < until {
                    shared.moveBoth()
                    usleep(UInt32(fallbackInterval.seconds * 1_000_000))
                }
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
