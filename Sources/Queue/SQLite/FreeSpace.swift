import CSystem
import Foundation

/// Whether the filesystem holding a database can give it new space now: what a SQLite write needs, and
/// what a write that changes no new pages (a readiness check's) never finds out.
///
/// A full disk fails every write that grows the WAL or the database file, but not a transaction that
/// only rewrites pages the WAL already has room for; so `serve` once said ready while every webhook got
/// 503. This asks the filesystem itself: it takes the space in an unnamed file (`O_TMPFILE`, so nothing
/// is left behind however the process ends) with `fallocate`, which answers as a write would, quotas and
/// the blocks kept for root included, then gives it back. Where the filesystem can do neither, it falls
/// back to the free blocks `statvfs` reports.
enum FreeSpace {
    /// Takes `bytes` of new space beside `directory`'s files, and gives it back.
    /// - Throws: `StorageError` naming the call and the reason (`ENOSPC`, `EDQUOT`) when it cannot.
    static func check(_ bytes: Int, in directory: String) throws(StorageError) {
        let descriptor = sb_open_unnamed_file(directory)
        guard descriptor >= 0 else {
            let code = errno
            guard code == EOPNOTSUPP || code == EISDIR || code == EINVAL else {
                throw StorageError.system("open (O_TMPFILE)", path: directory, errno: code)
            }
            return try checkStatistics(bytes, in: directory)
        }
        defer { close(descriptor) }
        guard fallocate(descriptor, 0, 0, off_t(bytes)) == 0 else {
            let code = errno
            guard code == EOPNOTSUPP else { throw StorageError.system("fallocate", path: directory, errno: code) }
            return try checkStatistics(bytes, in: directory)
        }
    }

    /// The free blocks the filesystem reports: all of them for root, which may use the reserved ones.
    private static func checkStatistics(_ bytes: Int, in directory: String) throws(StorageError) {
        var statistics = statvfs()
        guard statvfs(directory, &statistics) == 0 else {
            throw StorageError.system("statvfs", path: directory, errno: errno)
        }
        let blocks = UInt64(geteuid() == 0 ? statistics.f_bfree : statistics.f_bavail)
        let (free, overflowed) = blocks.multipliedReportingOverflow(by: UInt64(statistics.f_frsize))
        guard overflowed || free >= UInt64(bytes) else {
            throw StorageError(
                operation: "statvfs", path: directory,
                reason: "\(free) bytes are free, fewer than the \(bytes) a write may need", code: ENOSPC)
        }
    }
}
