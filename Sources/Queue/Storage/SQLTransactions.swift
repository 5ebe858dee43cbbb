/// What a backend gives the SQL written once for both databases: write transactions and reads that run
/// statements through `SQLExecutor`.
package protocol SQLTransactions: Sendable {
    /// Runs `body` in one write transaction, at `now`, the transaction's instant (read once the
    /// transaction holds SQLite's write lock; at PostgreSQL's BEGIN).
    func writeSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, _ now: Timestamp) throws -> T)
        async throws -> T
    /// Runs `body`'s reads: on SQLite in one read transaction; on PostgreSQL outside an explicit
    /// transaction, each statement in one round trip with a snapshot of its own (reads that must agree
    /// are written as one statement).
    func readSQL<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, SQLReadTime) throws -> T) async throws
        -> T
}
