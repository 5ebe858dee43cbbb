/// The time a read outside a write transaction is judged at, bound to `SQLDialect.time`.
package struct SQLReadTime: Sendable {
    package let value: SQLValue
}
