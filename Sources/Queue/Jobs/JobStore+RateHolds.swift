/// Rate holds: a "not before" per rate bucket (a provider's bot, chat or route) that every worker of
/// the fleet respects, kept in the database. Times are the store's: a wait is returned as a length, and
/// a hold is written as one, so a process whose clock differs from the store's still waits the right time.
extension JobStore {
    /// How long until the latest hold among `buckets` ends; nil when none is in force.
    public func holdRemaining(buckets: [String]) async throws -> Duration? {
        try await storage.holdRemaining(buckets: buckets)
    }

    /// Takes the next send slot of `bucket`, fleet-wide, before a send: when no hold among `respecting`
    /// (which should include `bucket`) is in force, holds `bucket` for `interval` from now and returns nil
    /// (send now); otherwise changes nothing and returns how long until the latest hold ends.
    ///
    /// The check and the hold are one write transaction, ordered with every hold written to those buckets
    /// (on SQLite by its single writer; on PostgreSQL by advisory locks, exclusive on `bucket` and shared
    /// on the others, which `hold` takes exclusive): a hold committed before it is seen, and one
    /// committed after it finds this send already on its way. Of two senders to one chat (two threads of
    /// it, say) only one goes.
    public func reserveSendSlot(_ bucket: String, interval: Duration, respecting buckets: [String]) async throws
        -> Duration?
    {
        try await storage.reserveSendSlot(bucket, interval: interval, respecting: buckets)
    }

    /// Writes holds at once, without waiting for a settlement: what a 429 calls for, so that sends
    /// about to take a slot in other workers wait too.
    public func hold(_ holds: [RateHold]) async throws {
        try await storage.hold(holds)
    }
}
