import Queue

/// Pollers' cursors (`PollCursor`), written with the updates they cover.
extension ChatStore {
    /// Where the poller of `source` has read to; nil before its first recorded batch.
    public func pollCursor(source: String) async throws -> String? {
        try await storage.pollCursor(source: source)
    }
}
