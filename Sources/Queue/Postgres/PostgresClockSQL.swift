/// The PostgreSQL server's clock in SQL, in whole milliseconds since 1970, the unit the store keeps times in.
///
/// Machines in a fleet disagree about the time; the server is the one clock they all reach. `now()` is
/// the start of the current transaction (of the statement, outside one), so every statement of a
/// transaction judges leases and schedules at one instant.
package enum PostgresClockSQL {
    package static let now = "floor(extract(epoch FROM now()) * 1000)::int8"
    /// The clock as it reads now, inside a transaction too: for a rule judged once a row lock is held.
    package static let current = "floor(extract(epoch FROM clock_timestamp()) * 1000)::int8"

    /// The time parameter `number` gives, or the server's clock when it is NULL: a statement that a test
    /// can run at a time of its choosing, and that otherwise reads the server's clock.
    package static func parameter(_ number: Int) -> String {
        "coalesce($\(number)::int8, \(now))"
    }
}
