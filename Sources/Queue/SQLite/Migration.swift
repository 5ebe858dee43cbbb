/// One step of the schema, applied once, in order, inside a write transaction.
package struct Migration: Sendable {
    package let version: Int
    package let sql: String
    /// On SQLite, a table definition this step rewrites in place; `sql` runs after it.
    let definitionEdit: DefinitionEdit?

    package init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
        self.definitionEdit = nil
    }

    /// A step that replaces `old` with `new` in the stored definition of SQLite table `table`: the
    /// procedure SQLite documents for changing a constraint without copying the table ("Making Other Kinds
    /// Of Table Schema Changes" in its ALTER TABLE page). Only for edits that leave every stored row valid
    /// and the file's format unchanged, such as a `CHECK` rewritten as an equivalent expression.
    init(version: Int, editing table: String, replacing old: String, with new: String) {
        self.version = version
        self.sql = ""
        self.definitionEdit = DefinitionEdit(table: table, old: old, new: new)
    }

    /// A text replacement in one table's `CREATE TABLE` statement.
    struct DefinitionEdit: Sendable {
        let table: String
        let old: String
        let new: String
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
