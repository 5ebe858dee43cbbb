import Queue

/// Frames queued for a bot's socket (`SocketSend`): made by workers, sent by the stream's holder.
extension ChatStore {
    /// Queues `frame` for `stream`'s socket, durably; returns its id.
    ///
    /// The frame is committed when this returns: the stream's holder, or the next one if it dies, sends it.
    /// - Throws: `QueueError.invalidArgument` naming `stream` or `frame` (empty, over 256 bytes or 1 MiB,
    ///   or holding U+0000), before anything is written. On PostgreSQL, `QueueError.unavailable` when the
    ///   connection broke during the COMMIT: the frame may be queued, and queueing it again may send it twice.
    public func queueSocketSend(_ frame: String, stream: String) async throws -> Int64 {
        try StreamHold.checkName(stream, "stream")
        try SocketSend.checkFrame(frame)
        return try await storage.queueSocketSend(frame, stream: stream)
    }

    /// The oldest frames of `stream` not yet finished, in the order they were queued, at most `limit`.
    ///
    /// A frame sent but not yet finished is returned again: a holder that took over after another died
    /// sends it again, so the provider may see a frame twice but never loses one.
    /// - Throws: `QueueError.invalidArgument` naming `stream`, or `limit` when it is not from 1 to 1000.
    public func pendingSocketSends(stream: String, limit: Int) async throws -> [SocketSend] {
        try StreamHold.checkName(stream, "stream")
        try SocketSend.checkLimit(limit)
        return try await storage.pendingSocketSends(stream: stream, limit: limit)
    }

    /// Marks frames finished (their receipts came, or the provider refused them for good), so they are not
    /// sent again; in the same transaction, deletes at most 500 frames finished more than an hour ago (by
    /// the store's clock), so the table stays small.
    ///
    /// Ids of frames already finished, or of none, are passed over; a frame's finishing time is its first.
    /// An empty list does nothing, the pruning included.
    public func finishSocketSends(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await storage.finishSocketSends(ids)
    }
}
