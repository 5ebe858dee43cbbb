/// What a store's transactions run with, each set by the transaction for itself (`set_config(..., true)`,
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

    /// The two statements that open a transaction, sent as one message (one round trip, as a bare
    /// `BEGIN`): `BEGIN` with `mode` (an isolation level, `READ ONLY`), then one `SELECT` that sets this
    /// store's settings for this transaction alone and whose first column is the server's clock in
    /// milliseconds since 1970 when `readingServerTime` (NULL otherwise). Under a caller's deadline,
    /// `statementTimeout` bounds each statement of the transaction. `alsoSelecting` are more columns of
    /// that `SELECT`, after this store's own (`openingColumns(statementTimeout:)` of them).
    func opening(
        _ mode: String = "", statementTimeout: Duration? = nil, readingServerTime: Bool = false,
        alsoSelecting: [String] = []
    ) -> String {
        openingStatements(
            mode, statementTimeout: statementTimeout, readingServerTime: readingServerTime,
            alsoSelecting: alsoSelecting
        ).joined(separator: "; ")
    }

    /// `opening`'s two statements, each on its own, for a pipeline that sends them with the rest of the
    /// transaction.
    func openingStatements(
        _ mode: String = "", statementTimeout: Duration? = nil, readingServerTime: Bool = false,
        alsoSelecting: [String] = []
    ) -> [String] {
        var begin = mode.isEmpty ? "BEGIN" : "BEGIN \(mode)"
        if readOnly && !mode.contains("READ ONLY") {
            begin += " READ ONLY"
        }
        let columns = ownColumns(statementTimeout: statementTimeout, readingServerTime: readingServerTime)
        return [begin, "SELECT \((columns + alsoSelecting).joined(separator: ", "))"]
    }

    /// How many columns the opening's `SELECT` has before the ones asked for besides.
    func openingColumns(statementTimeout: Duration?) -> Int {
        ownColumns(statementTimeout: statementTimeout, readingServerTime: false).count
    }

    /// The opening `SELECT`'s own columns: the clock (or NULL), then the settings.
    private func ownColumns(statementTimeout: Duration?, readingServerTime: Bool) -> [String] {
        var columns = [
            readingServerTime ? PostgresClockSQL.now : "NULL::int8",
            Self.setting("lock_timeout", Self.milliseconds(lockTimeout)),
        ]
        if let statementTimeout {
            columns.append(Self.setting("statement_timeout", Self.milliseconds(statementTimeout)))
        }
        if asynchronousCommit {
            columns.append(Self.setting("synchronous_commit", "off"))
        }
        return columns
    }

    /// A setting for the current transaction only (`SET LOCAL`, as a function a `SELECT` can call).
    private static func setting(_ name: String, _ value: String) -> String {
        "set_config('\(name)', '\(value)', true)"
    }

    private static func milliseconds(_ duration: Duration) -> String {
        String(max(1, Int(duration / .milliseconds(1))))
    }
}
