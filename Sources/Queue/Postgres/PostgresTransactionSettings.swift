/// What a store's transactions run with, each set by the transaction for itself (`SET LOCAL`,
/// `BEGIN ... READ ONLY`), in the round trip of its `BEGIN`. Nothing is set on a connection: a
/// transaction-mode pooler (PgBouncer) hands the server connection to another client after each
/// transaction, and a session setting would go with it, to clients that never asked for it.
struct PostgresTransactionSettings: Sendable {
    /// How long a statement waits for a lock before its transaction fails (`lock_timeout`).
    var lockTimeout: Duration
    /// Commits return before the server has flushed them (`synchronous_commit = off`,
    /// `--durability normal`): a server crash may lose the last moments of commits, never corrupt.
    var asynchronousCommit = false
    /// The store only reads: every transaction is `READ ONLY`, so a write through it fails.
    var readOnly = false

    /// The statements that open a transaction, for one round trip: `BEGIN` with `mode` (an isolation
    /// level, `READ ONLY`) and this store's settings for this transaction alone.
    func opening(_ mode: String = "") -> String {
        var begin = mode.isEmpty ? "BEGIN" : "BEGIN \(mode)"
        if readOnly && !mode.contains("READ ONLY") {
            begin += " READ ONLY"
        }
        var statements = [begin, "SET LOCAL lock_timeout TO \(max(1, Int(lockTimeout / .milliseconds(1))))"]
        if asynchronousCommit {
            statements.append("SET LOCAL synchronous_commit TO off")
        }
        return statements.joined(separator: "; ")
    }
}
