import CSQLite
import Dispatch
import Synchronization

/// Copies the write-ahead log back into the database file on a connection and thread of its own, so a
/// commit never waits for a checkpoint.
///
/// SQLite's own checkpoint runs inside the commit that crosses its threshold, and holds that commit (and
/// every writer queued behind it) while it copies and syncs the pages: a tail of milliseconds under a
/// steady load of small transactions. Here the commit only notes the log's size; a PASSIVE checkpoint,
/// which never blocks a writer, then runs on this queue.
final class BackgroundCheckpointer: @unchecked Sendable {
    // @unchecked Sendable: `connection` is touched only inside blocks on the serial `queue`.
    /// The log's size, in pages, past which a checkpoint is started (`StoreOptions.checkpointPages`:
    /// by default four times SQLite's own threshold, a log of about 16 MB, as a checkpoint here costs
    /// commits no time, and each page small transactions rewrite again and again is then copied once
    /// for many of them).
    private let thresholdPages: Int32
    private let path: String
    private let queue = DispatchQueue(label: "switchboard.sqlite.checkpoint")
    private var connection: SQLiteConnection?
    private let scheduled = Atomic<Bool>(false)

    init(path: String, thresholdPages: Int) {
        self.path = path
        self.thresholdPages = Int32(clamping: thresholdPages)
    }

    /// Called by the committing connection with the log's size after its commit: starts a checkpoint
    /// when the log is past the threshold and none is waiting to run.
    func committed(logPages: Int32) {
        guard logPages >= thresholdPages, !scheduled.exchange(true, ordering: .acquiringAndReleasing) else {
            return
        }
        queue.async { self.checkpoint() }
    }

    /// A failed checkpoint only leaves the log longer; the next commit past the threshold tries again.
    private func checkpoint() {
        scheduled.store(false, ordering: .releasing)
        if connection == nil {
            connection = try? SQLiteConnection(path: path, mode: .mustExist, lockTimeout: .zero, busyTimeout: .zero)
        }
        _ = try? connection?.queryFirst("PRAGMA wal_checkpoint(PASSIVE)") { $0.int64(0) }
    }
}
