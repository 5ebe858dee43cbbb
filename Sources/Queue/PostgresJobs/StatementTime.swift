/// The time one PostgreSQL statement is judged at, bound as a parameter through
/// `PostgresClockSQL.parameter`: NULL, so the statement reads the server's clock, or, where a test moves
/// time by hand, its clock's reading.
struct StatementTime: Sendable {
    let parameter: PGValue
}
