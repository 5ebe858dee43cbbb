/// A failure of the queue that is about the queue's own rules or the database file, not SQL.
///
/// Low-level failures (I/O, a full disk) come through as `SQLiteError`, with its result codes.
public struct QueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is: stable, and safe to use as a metric label.
    public enum Code: String, Sendable {
        /// The lease token is stale: the lease expired or another worker claimed the job since.
        case leaseLost = "lease_lost"
        /// No job (or dead letter) with that id.
        case notFound = "not_found"
        /// An argument the caller gave is unusable; the message names it.
        case invalidArgument = "invalid_argument"
        /// The database file does not exist.
        case databaseMissing = "database_missing"
        /// The file is a SQLite database, but not one of Switchboard's.
        case foreignDatabase = "foreign_database"
        /// The database was written by a newer Switchboard whose schema this build does not know.
        case schemaTooNew = "schema_too_new"
        /// The database needs migrating before a read-only store can read it.
        case schemaOutdated = "schema_outdated"
        /// Other processes held the write lock for longer than the busy timeout, transaction after transaction.
        case contended = "contended"
        /// The database holds a value this build cannot read: it was changed behind Switchboard's back.
        case corrupt = "corrupt"
        /// A library Switchboard relies on failed in a way no input explains.
        case `internal` = "internal"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func leaseLost(_ lease: Lease) -> QueueError {
        QueueError(.leaseLost, "lease \(lease.token) on job \(lease.jobID) is no longer held (expired or claimed again)")
    }

    package static func invalid(_ field: String, _ problem: String) -> QueueError {
        QueueError(.invalidArgument, "\(field): \(problem)")
    }
}
