import Queue

/// Stream holds (`StreamHold`): one holder per bot connection across a fleet of `receive` processes.
extension ChatStore {
    /// Takes the hold on `stream` for `holder`, or renews it when `holder` has it, for `lifetime` from now
    /// (the store's time, read inside the transaction).
    ///
    /// A free stream, a released hold or a lapsed one is taken with the token one higher than the last;
    /// the holder's own unexpired hold is renewed with its token kept. Two processes taking one hold at
    /// once never both get it.
    /// - Returns: the hold when `holder` has it after the call; nil when another holder's unexpired hold
    ///   stands (nothing changes then).
    /// - Throws: `QueueError.invalidArgument` naming `stream`, `holder` or `lifetime` (empty, over 256 bytes
    ///   or holding U+0000; not from 1 ms to 24 hours), before anything is written.
    public func holdStream(_ stream: String, holder: String, for lifetime: Duration) async throws -> StreamHold? {
        try StreamHold.checkName(stream, "stream")
        try StreamHold.checkName(holder, "holder")
        try StreamHold.checkLifetime(lifetime)
        return try await storage.holdStream(stream, holder: holder, lifetime: lifetime)
    }

    /// Gives the hold up at once if `holder` has it (so another process need not wait for it to lapse);
    /// does nothing otherwise.
    /// - Throws: `QueueError.invalidArgument` naming `stream` or `holder`.
    public func releaseStream(_ stream: String, holder: String) async throws {
        try StreamHold.checkName(stream, "stream")
        try StreamHold.checkName(holder, "holder")
        try await storage.releaseStream(stream, holder: holder)
    }

    /// The current hold on `stream`, lapsed or not; nil when none was ever taken or it was released.
    public func streamHold(_ stream: String) async throws -> StreamHold? {
        try await storage.streamHold(stream)
    }
}
