import Queue

/// Written in a transaction to make it fail unless `holder` still holds `stream` with `token` and the hold
/// has not lapsed: a process that lost its hold (paused, then another took over) cannot write a stale
/// position for the stream.
///
/// It writes nothing: it reads the hold inside the transaction and throws, which rolls the whole
/// transaction back, the rows written before it included. On PostgreSQL it locks the hold's row until the
/// transaction ends, so a takeover waits for the fenced transaction and every write of the old holder
/// comes before the new holder's hold.
package struct StreamHoldFence: TransactionRecord, Equatable {
    package var stream: String
    package var holder: String
    package var token: Int64

    package init(stream: String, holder: String, token: Int64) {
        self.stream = stream
        self.holder = holder
        self.token = token
    }

    package var schemaPartName: String { ChatSchema.part.name }

    package func validate() throws {
        try StreamHold.checkName(stream, "fence.stream")
        try StreamHold.checkName(holder, "fence.holder")
        if token < 1 {
            throw QueueError.invalid("fence.token", "must be positive")
        }
    }

    package func write(in transaction: any JobWriteTransaction) throws {
        try check(ChatStorage.hold(stream, in: transaction.sql, locking: true), at: transaction.now)
    }

    /// Lets the transaction through when `current`, the stream's hold as the transaction reads it at `now`,
    /// is this fence's holder and token and has not lapsed.
    /// - Throws: `QueueError.leaseLost` saying which of those failed.
    func check(_ current: StreamHold?, at now: Timestamp) throws {
        let refused = "\(holder)'s writes under token \(token) are refused"
        guard let current else {
            throw QueueError(.leaseLost, "stream \(stream) is not held (never taken, or released): \(refused)")
        }
        guard current.holder == holder, current.token == token else {
            throw QueueError(
                .leaseLost,
                "the hold on stream \(stream) has passed to \(current.holder) with token \(current.token): \(refused)"
            )
        }
        guard now < current.expiresAt else {
            throw QueueError(.leaseLost, "the hold on stream \(stream) lapsed at \(current.expiresAt): \(refused)")
        }
    }
}
