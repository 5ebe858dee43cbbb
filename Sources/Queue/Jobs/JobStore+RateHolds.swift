/// Rate holds: a "not before" per rate bucket (a provider's bot, chat or route) that every worker of
/// the fleet respects, kept in the database.
extension JobStore {
    /// The latest hold among `buckets` that is still in force, if any.
    public func holdUntil(buckets: [String]) async throws -> Timestamp? {
        try await storage.holdUntil(buckets: buckets)
    }

    /// Takes the next send slot of `bucket`, fleet-wide, before a send: when no hold among `respecting`
    /// (which should include `bucket`) is in force, holds `bucket` for `interval` from now and returns nil
    /// (send now); otherwise changes nothing and returns when the latest hold ends.
    ///
    /// The check and the hold are one write transaction, so of two senders to one chat (two threads of it,
    /// say) only one goes, and a send that follows a 429 waits out the hold the 429 wrote.
    public func reserveSendSlot(_ bucket: String, interval: Duration, respecting buckets: [String]) async throws
        -> Timestamp?
    {
        try await storage.reserveSendSlot(bucket, interval: interval, respecting: buckets)
    }

    /// Writes holds at once, without waiting for a settlement: what a 429 calls for, so that sends
    /// already on their way to the bucket in other workers wait too.
    public func hold(_ holds: [RateHold]) async throws {
        try await storage.hold(holds)
    }
}
