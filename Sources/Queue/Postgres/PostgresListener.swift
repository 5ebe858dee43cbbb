import Foundation
import Synchronization

/// A connection of its own that `LISTEN`s on two channels, on a thread of its own, and counts what it
/// hears on each: runnable work, and cancels of leased jobs.
///
/// The counts are hints, never the truth: idle workers poll the first and look at the queue when it
/// moves; running workers poll the second and ask whether their leases still stand. The listener only
/// trusts a connection that has shown it hears: it refuses to `LISTEN` through a connection pooler (a
/// transaction-mode pooler such as PgBouncer passes no notification on, and would leave the `LISTEN` on a
/// server connection other clients get), and after `LISTEN` it notifies itself once through the store's
/// own address (as every job's trigger does) and waits for that to arrive. Until a connection has heard
/// itself, or when it breaks, both counts move every `fallbackInterval` instead, so workers fall back to
/// polling, and `wakeups` says why. A reconnect moves them too: a notice may have been missed meanwhile.
final class PostgresListener: Sendable {
    /// The channels listened to.
    struct Channels: Sendable {
        /// Runnable work (the trigger the schema installs notifies it).
        let work: String
        /// Cancels of leased jobs.
        let cancels: String
    }

    /// How often the counts move while nothing is heard.
    static let fallbackInterval = Duration.milliseconds(250)
    /// How long the listener waits to hear its own test notification.
    static let probeTimeout = Duration.seconds(2)
    /// How long a connection that cannot hear (a pooler's, a silent one) is left before it is tried again.
    static let unheardRetry = Duration.seconds(30)

    /// What the listening thread and the store share.
    private final class Shared: Sendable {
        let counter = Atomic<Int64>(0)
        let cancels = Atomic<Int64>(0)
        let stopped = Atomic<Bool>(false)
        let wakeups = Mutex(Wakeups.starting)

        /// Moves both counts: something may have been missed.
        func moveBoth() {
            counter.add(1, ordering: .releasing)
            cancels.add(1, ordering: .releasing)
        }

        var isStopped: Bool {
            stopped.load(ordering: .acquiring)
        }
    }

    private let shared = Shared()

    /// Starts listening on `listenURL` (the store's own address unless a direct connection was given
    /// for listening), and tests it with a notification sent through `notifyURL`, the store's address.
    init(listenURL: String, notifyURL: String, channels: Channels) {
        let thread = Thread { [shared] in
            Self.run(listenURL: listenURL, notifyURL: notifyURL, channels: channels, shared: shared)
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

    /// How workers learn of work now: notifications once the connection has heard itself, else polling.
    var wakeups: Wakeups {
        shared.wakeups.withLock { $0 }
    }

    private static func run(listenURL: String, notifyURL: String, channels: Channels, shared: Shared) {
        var backoff = fallbackInterval
        while !shared.isStopped {
            let unheard: (reason: String, retryIn: Duration)
            do {
                unheard = try listen(listenURL: listenURL, notifyURL: notifyURL, channels: channels, shared: shared)
                backoff = fallbackInterval
            } catch {
                unheard = ("the listen connection to PostgreSQL failed or broke; it is being connected again", backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
            shared.wakeups.withLock { $0 = .polling(reason: unheard.reason) }
            // Not hearing: move the counts on a timer until a connection hears again.
            let until = ContinuousClock.now + unheard.retryIn
            while !shared.isStopped && ContinuousClock.now < until {
                shared.moveBoth()
                usleep(UInt32(fallbackInterval.seconds * 1_000_000))
            }
        }
    }

    /// Connects, listens and tests the connection, then counts what it hears until the connection breaks
    /// (which throws) or the listener stops; returns why, and for how long, it cannot hear.
    private static func listen(listenURL: String, notifyURL: String, channels: Channels, shared: Shared) throws
        -> (reason: String, retryIn: Duration)
    {
        let connection = try PGConnection(url: listenURL)
        guard try !connection.isPooled() else {
            return (
                "the listen connection goes through a connection pooler, which passes no notification on: "
                    + "give a direct connection to PostgreSQL for listening (database_listen, --db-listen, "
                    + "$SWITCHBOARD_DB_LISTEN)",
                unheardRetry
            )
        }
        // A channel no other process listens to, for the test notification.
        let probe = "switchboard_probe_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        try connection.execute("LISTEN \(channels.work)")
        try connection.execute("LISTEN \(channels.cancels)")
        try connection.execute("LISTEN \(probe)")
        shared.moveBoth()
        // Sent as every job's trigger sends: through the store's address, on a connection of its own.
        try PGConnection(url: notifyURL).execute("SELECT pg_notify($1, '')", [.text(probe)])
        let probeDeadline = ContinuousClock.now + probeTimeout
        var heardItself = false
        while !shared.isStopped {
            var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(fallbackInterval.seconds * 1_000))
            if ready < 0 && errno != EINTR {
                throw PostgresError(
                    sqlState: nil, message: "poll failed on the listen connection", statement: nil, connectionLost: true
                )
            }
            let heard = try connection.takeNotifications()
            let cancels = heard.count { $0 == channels.cancels }
            let work = heard.count { $0 == channels.work }
            if cancels > 0 {
                shared.cancels.add(Int64(cancels), ordering: .releasing)
            }
            if work > 0 {
                shared.counter.add(Int64(work), ordering: .releasing)
            }
            if !heardItself && heard.contains(probe) {
                heardItself = true
                shared.wakeups.withLock { $0 = .notifications }
            } else if !heardItself && ContinuousClock.now >= probeDeadline {
                return (
                    "the listen connection did not hear its own test notification within "
                        + "\(Int(probeTimeout.seconds)) s: is it the same database as the store's?",
                    unheardRetry
                )
            }
        }
        return ("the store is closing", .zero)
    }
}
