import Foundation
import Queue

/// The chat tables' statements (connect codes, channel connections, link tokens, platform links,
/// conversation history, pollers' cursors, stream holds, frames queued for sockets), written once for both
/// databases through `SQLExecutor`.
///
/// `ChatStore` keeps the rules that need no database (checking values, drawing codes and tokens, their
/// digests); this type keeps every statement. Each write is one transaction, with the time read inside
/// it, so every rule that must hold under concurrency (the pending-code cap, single use of a code or
/// token, one owner per identity, one link per server or user, one API token in force per name) holds
/// inside one transaction: SQLite's single writer serialises them; on PostgreSQL, advisory locks
/// (`SQLExecutor.lock`) serialise an owner's pending codes, an identity's channel connection, a server's
/// or user's link tokens and an API token's name, and single use of a code or token rests on the row lock
/// of its `UPDATE`. Each read is one statement (on PostgreSQL outside a transaction). Times are the store's: on PostgreSQL the
/// server's clock, so expiries mean the same from every machine.
struct ChatStorage: Sendable {
    let database: any SQLTransactions

    /// Runs `body` in a write transaction, at the transaction's instant.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, Timestamp) throws -> T) async throws -> T {
        try await database.writeSQL(body)
    }

    /// Runs `body`'s reads; see `SQLTransactions.readSQL`.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor, SQLReadTime) throws -> T) async throws -> T {
        try await database.readSQL(body)
    }
}
