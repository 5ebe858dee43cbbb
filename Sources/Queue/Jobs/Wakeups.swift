/// How a store's idle workers learn that work may have become runnable, as `switchboard workers` and a
/// worker's start-up log show it.
public enum Wakeups: Sendable, Equatable, CustomStringConvertible {
    /// The database tells them as it happens: PostgreSQL's `NOTIFY`, heard on a `LISTEN` connection that
    /// has shown it receives them.
    case notifications
    /// They read a change counter on the same machine (SQLite's `data_version`).
    case localChanges
    /// Nothing tells them: they look at the queue on a timer (every 250 ms), so a job may wait that long
    /// for a worker; `reason` says why and what to change.
    case polling(reason: String)
    /// Not known yet: the listen connection is still being set up.
    case starting

    public var description: String {
        switch self {
        case .notifications: "notifications"
        case .localChanges: "local"
        case .polling: "polling"
        case .starting: "starting"
        }
    }

    /// What the worker's row stores: the description, and for polling its reason after a colon.
    var stored: String {
        if case .polling(let reason) = self { return "polling: \(reason)" }
        return description
    }

    /// Reads back what `stored` wrote; an empty text (a row from a build before this column) is unknown.
    init?(stored: String) {
        switch stored {
        case "notifications": self = .notifications
        case "local": self = .localChanges
        case "starting": self = .starting
        default:
            guard stored.hasPrefix("polling: ") else { return nil }
            self = .polling(reason: String(stored.dropFirst("polling: ".count)))
        }
    }
}
