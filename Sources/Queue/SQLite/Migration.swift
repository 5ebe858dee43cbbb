import CSQLite

/// One step of the schema, applied once, in order, inside a write transaction.
struct Migration: Sendable {
    let version: Int
    let sql: String
}
