import Foundation

/// The process's limit on open files, which bounds how many connections `serve` can hold: each is a
/// descriptor, and the database, the listening socket and the polling threads need some too.
///
/// systemd and most shells start processes with a soft limit of 1,024 under a far higher hard limit; a
/// process may raise its own soft limit up to the hard one, and `serve` does so at start.
struct OpenFileLimit {
    /// Descriptors kept for everything but connections: the database's files or connections, the
    /// listening socket, each polling thread's epoll and wake-up descriptors, standard streams.
    static let reserved = 64

    /// The soft limit now in force.
    let soft: UInt64
    let hard: UInt64

    /// Raises the soft limit to the hard one (a failure leaves it where it was) and reads the result.
    static func raised() -> OpenFileLimit {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            // Unreadable (it never is on Linux): assume the usual default.
            return OpenFileLimit(soft: 1_024, hard: 1_024)
        }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                limit = raised
            }
        }
        return OpenFileLimit(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// How many connections fit beside the reserved descriptors.
    var connections: Int {
        Int(clamping: soft > UInt64(Self.reserved) ? soft - UInt64(Self.reserved) : 1)
    }
}
