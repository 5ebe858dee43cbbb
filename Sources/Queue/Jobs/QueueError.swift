/// A failure of the queue that is about the queue's own rules or the database, not SQL.
///
/// Low-level failures (I/O, a full disk) come through as `SQLiteError`, with its result codes; where
/// one of those lies underneath a queue failure (the lock contention behind `.contended`), it is the
/// `cause`. The code is a struct over a private enum, so a new code breaks no caller.
public struct QueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is: stable, and safe to use as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case leaseLost = "lease_lost"
            case notFound = "not_found"
            case invalidArgument = "invalid_argument"
            case databaseMissing = "database_missing"
            case foreignDatabase = "foreign_database"
            case schemaTooNew = "schema_too_new"
            case schemaOutdated = "schema_outdated"
            case contended
            case unavailable
            case misconfigured
            case corrupt
            case `internal`
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The code as text: `lease_lost`, `not_found` ...
        public var description: String { base.rawValue }

        /// The lease token is stale: the lease expired or another worker claimed the job since.
        public static let leaseLost = Code(.leaseLost)
        /// No job (or dead letter) with that id.
        public static let notFound = Code(.notFound)
        /// An argument the caller gave is unusable; the message names it.
        public static let invalidArgument = Code(.invalidArgument)
        /// The database does not exist, or holds no Switchboard database yet.
        public static let databaseMissing = Code(.databaseMissing)
        /// The file is a SQLite database, but not one of Switchboard's.
        public static let foreignDatabase = Code(.foreignDatabase)
        /// The database was written by a newer Switchboard whose schema this build does not know.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The database needs migrating before a read-only store can read it.
        public static let schemaOutdated = Code(.schemaOutdated)
        /// Other writers held the lock past the lock timeout.
        public static let contended = Code(.contended)
        /// The database server cannot be reached now, or the connection broke while a transaction was
        /// committing (so whether it committed is unknown); trying again later may succeed.
        public static let unavailable = Code(.unavailable)
        /// The database server refused the connection's settings: a malformed URL or parameter, no password,
        /// a role, password or database it does not know, no right to connect. Trying again does not mend it.
        public static let misconfigured = Code(.misconfigured)
        /// The database holds a value this build cannot read: it was changed behind Switchboard's back.
        public static let corrupt = Code(.corrupt)
        /// A library Switchboard relies on failed in a way no input explains.
        public static let `internal` = Code(.internal)
    }

    public let code: Code
    public let message: String
    /// The failure underneath this one, if there is one.
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    /// The message and every cause under it, one per line.
    public var detailedDescription: String {
        var lines = ["\(code): \(message)"]
        var next = cause
        while let error = next {
            lines.append("caused by: \(error)")
            next = (error as? QueueError)?.cause
        }
        return lines.joined(separator: "\n")
    }

    /// Equal in code and message; causes are not compared.
    public static func == (lhs: QueueError, rhs: QueueError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    static func leaseLost(_ lease: Lease) -> QueueError {
        QueueError(
            .leaseLost, "lease \(lease.token) on job \(lease.jobID) is no longer held (expired or claimed again)")
    }

    package static func invalid(_ field: String, _ problem: String) -> QueueError {
        QueueError(.invalidArgument, "\(field): \(problem)")
    }
}
