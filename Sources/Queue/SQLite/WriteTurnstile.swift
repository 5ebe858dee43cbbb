import CSQLite
import Foundation

/// A kernel lock (`flock`) on a file beside the database that every Switchboard writer takes around
/// its write transaction, so writers queue in the kernel instead of polling SQLite's lock.
///
/// SQLite's own busy handler sleeps and retries (1, 2, 5 ... 100 ms). A waiter that sleeps misses the
/// instant between two of another process's transactions, again and again: measured with
/// `switchboard bench queue` on a 2-core machine, a process committing small transactions beside one
/// committing large ones waited up to 3 s and got as few as 1 transaction in 3 s, and short polling
/// sleeps did no better (the pollers take the CPU the lock holder needs). Waiters blocked in `flock`
/// take no CPU and are woken the moment the holder releases it; the releasing process does not come
/// back for the lock until its next transaction, so a waiter gets it. The kernel drops the lock of a
/// process that dies, so a crash never leaves it held.
///
/// Only writers of this database through Switchboard take the turnstile; any other program's writes
/// still meet SQLite's busy timeout. A writer that is stopped (SIGSTOP) inside a transaction holds the
/// others up until it continues or dies, as it would hold SQLite's own lock.
final class WriteTurnstile {
    private let descriptor: Int32
    let path: String

    /// Opens (creating if needed) `DATABASE-writer`.
    /// - Throws: `SQLiteError` with `SQLITE_CANTOPEN` naming the file.
    init(databasePath: String) throws {
        path = databasePath + "-writer"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw SQLiteError(
                resultCode: SQLITE_CANTOPEN, extendedCode: SQLITE_CANTOPEN,
                message: "cannot open the writer lock \(path): \(reason)", sql: nil
            )
        }
    }

    deinit {
        close(descriptor)
    }

    /// Runs `body` holding the turnstile, waiting (blocked, on this thread) for it if another writer has it.
    func withTurn<T>(_ body: () throws -> T) throws -> T {
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                throw SQLiteError(
                    resultCode: SQLITE_IOERR, extendedCode: SQLITE_IOERR,
                    message: "cannot lock \(path): \(reason)", sql: nil
                )
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}

@available(*, unavailable)
extension WriteTurnstile: Sendable {}
