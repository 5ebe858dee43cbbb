import Foundation

/// How a store is opened and the rules it applies.
public struct StoreOptions: Sendable {
    public var durability: Durability = .full
    /// This process's clock: what it waits by, and on SQLite (one machine) the time every lease, backoff
    /// and expiry is measured against.
    public var clock: any WallClock = SystemClock()
    /// On PostgreSQL, judge leases, run-at times, expiries and schedules by the server's clock (`now()`)
    /// rather than `clock`: machines' clocks disagree, and one running ahead would take live leases. Only
    /// tests that move time by hand (`ManualClock`) turn it off.
    public var usesServerClock = true
    /// Attempts a job gets when it does not say.
    public var defaultMaxAttempts = 5
    public var retryPolicies = RetryPolicies()
    /// Keep completed jobs this long (pruned in bounded batches); `nil` deletes them at completion.
    public var completedRetention: Duration?
    /// Failures kept per job; older ones are dropped.
    public var errorHistoryLimit = 10
    /// How long a write waits for other writers before it fails as contended (`QueueError.contended`).
    /// Switchboard writers queue on the write turnstile for up to this long; another program's lock is
    /// waited for up to a quarter of it on each of a transaction's four attempts.
    public var lockTimeout: Duration = .seconds(20)
    /// On PostgreSQL, how many connections the store's statements share (beside one for `LISTEN`).
    public var postgresConnections = 4
    /// On PostgreSQL, where the `LISTEN` connection goes when not to the store's own address: a direct
    /// connection to the server, for a store that reaches it through a transaction-mode pooler (which
    /// passes no notification on). The same database; nil listens on the store's address.
    public var postgresListenURL: String?
    /// Whether the store may create, migrate and write the database.
    public var access = StoreAccess.create
    /// Other modules' tables, created and migrated with the job queue's.
    package var schemaParts: [SchemaPart] = []

    public init() {}

    var rules: JobRules {
        JobRules(
            defaultMaxAttempts: defaultMaxAttempts,
            retryPolicies: retryPolicies,
            completedRetention: completedRetention,
            errorHistoryLimit: errorHistoryLimit
        )
    }
}
