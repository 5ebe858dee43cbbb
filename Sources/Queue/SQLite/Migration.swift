/// One step of the schema, applied once, in order, inside a write transaction.
package struct Migration: Sendable {
    package let version: Int
    package let sql: String

    package init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
    }
}
