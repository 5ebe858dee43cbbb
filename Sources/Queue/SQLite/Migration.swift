/// One step of the schema, applied once, in order, inside a write transaction.
package struct Migration: Sendable {
    package let version: Int
    package let sql: String

    package init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
    }

    /// The queue's own migrations and its parts', in one sequence by version.
    /// - Throws: `QueueError.invalidArgument` when the sequence has a gap (a part the database needs is
    ///   missing: a store opened without the chat tables would otherwise number the database past them).
    static func sequence(_ migrations: [Migration]) throws -> [Migration] {
        let ordered = migrations.sorted { $0.version < $1.version }
        guard ordered.map(\.version) == Array(1...(ordered.last?.version ?? 0)) else {
            throw QueueError.invalid(
                "store",
                "lacks some of the database's tables: open a Switchboard database with SwitchboardDatabase.open")
        }
        return ordered
    }
}
