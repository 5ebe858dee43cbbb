/// A row another module writes with a job: in the transaction that writes the job, and only if the job
/// is written (a duplicate writes neither). The chat tables record a turn's message this way, so the
/// message and its turn are written together without the queue knowing what a message is.
package protocol JobAttachment: Sendable {
    /// The schema part whose tables the row goes into: a store opened without it refuses the job.
    var schemaPartName: String { get }

    /// Checks the row before anything is written.
    /// - Throws: `QueueError.invalidArgument` naming the field.
    func validate() throws
    /// Writes the row for job `jobID` in `transaction`, the backend's write transaction.
    func write(jobID: Int64, in transaction: any JobWriteTransaction) throws
}

/// A row another module writes in an enqueue's transaction whether or not any job is written: a
/// poller's cursor, which must move exactly when the events it covers are recorded.
package protocol TransactionRecord: Sendable {
    /// The schema part whose tables the row goes into: a store opened without it refuses the enqueue.
    var schemaPartName: String { get }

    /// Checks the row before anything is written.
    /// - Throws: `QueueError.invalidArgument` naming the field.
    func validate() throws
    /// Writes the row in `transaction`, the backend's write transaction.
    func write(in transaction: any JobWriteTransaction) throws
}

/// A backend's write transaction as an attachment meets it: statements written once for both databases.
package protocol JobWriteTransaction {
    /// The transaction's statements.
    var sql: any SQLExecutor { get }
    /// The transaction's instant.
    var now: Timestamp { get }
}
