import CSystem
import Dispatch
import Foundation
import Synchronization

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
/// A holder that stops without dying (SIGSTOP, a debugger) would hold the others up for as long as it
/// is stopped, so a wait is bounded: past its limit the waiting thread is interrupted with a signal
/// (`flock` has no timeout) and the write fails as contended, naming the holder's pid when the kernel's
/// lock table shows it. Only writers of this database through Switchboard take the turnstile; any other
/// program's writes still meet SQLite's busy timeout.
final class WriteTurnstile {
    private let descriptor: Int32
    let path: String

    /// Opens (creating if needed) `DATABASE-writer`.
    /// - Throws: `StorageError` naming the file.
    init(databasePath: String) throws {
        path = databasePath + "-writer"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StorageError.system("open", path: path, errno: errno)
        }
    }

    deinit {
        close(descriptor)
    }

    /// Runs `body` holding the turnstile, waiting (blocked, on this thread) up to `limit` if another writer has it.
    /// - Throws: `QueueError.contended` when the wait reaches `limit`; `StorageError` when the lock fails.
    func withTurn<T>(waitingAtMost limit: Duration, _ body: () throws -> T) throws -> T {
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                throw StorageError.system("flock", path: path, errno: errno)
            }
            try wait(atMost: limit)
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private func wait(atMost limit: Duration) throws {
        let alarm = ThreadAlarm(after: limit)
        defer { alarm.cancel() }
        while sb_flock_interruptible(descriptor) != 0 {
            guard errno == EINTR else {
                throw StorageError.system("flock", path: path, errno: errno)
            }
            if alarm.hasFired {
                let holder = holderPID().map { "process \($0)" } ?? "another process"
                throw QueueError(
                    .contended,
                    "\(holder) held the write lock (\(path)) for \(limit.seconds) s; if it is stopped, continue or "
                        + "end it"
                )
            }
        }
    }

    /// The pid holding the lock, from the kernel's lock table (`/proc/locks`), if it shows one.
    private func holderPID() -> Int32? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, let table = Self.readWhole("/proc/locks") else { return nil }
        let inode = ":\(status.st_ino)"
        for line in table.split(separator: "\n") where !line.contains("->") {
            let fields = line.split(separator: " ")
            // "1: FLOCK  ADVISORY  WRITE 4242 00:2d:1234 0 EOF"
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE", fields[5].hasSuffix(inode) else {
                continue
            }
            return Int32(fields[4])
        }
        return nil
    }

    /// A file read to its end with `read(2)`: Foundation stops a file that reports no size (a `/proc`
    /// file) after its first 4 KiB, and a busy lock table is longer.
    private static func readWhole(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
@available(*, unavailable)
extension WriteTurnstile: Sendable {}
