import Foundation

/// The instant by which the calling task needs its store calls answered, when it has one.
///
/// A store waits on its own for as long as waiting can help: another writer's lock, up to the lock
/// timeout, and a PostgreSQL server that went away, reconnecting with backoff for as long again. A
/// worker wants that. A webhook does not: its provider gives up after a few seconds (Slack after 3) and
/// retries, so `serve` would rather answer 503 in time than record the event after the provider has
/// stopped listening; and a readiness check that takes 20 seconds to say "not ready" is no check.
///
/// A task sets a deadline around its calls (`within`); the backends honour it where they wait: for a
/// connection from the pool, a new connection after one broke, the write turnstile. What has not started
/// by the deadline fails (`QueueError.unavailable` or `.contended`) and is not written; a statement
/// already running is left to finish (on PostgreSQL, `statement_timeout` ends it at the deadline), so a
/// failure never hides a write that then commits.
public enum StoreDeadline {
    /// The calling task's deadline; nil when it waits as long as the store's own timeouts allow.
    @TaskLocal public static var current: ContinuousClock.Instant?

    /// Runs `body` with store calls bound to end within `limit` from now, or by the deadline already in
    /// force when that is sooner.
    public static func within<T>(_ limit: Duration, _ body: () async throws -> T) async rethrows -> T {
        let deadline = ContinuousClock.now + limit
        return try await $current.withValue(current.map { min($0, deadline) } ?? deadline, operation: body)
    }

    /// The time left before `deadline`; zero once it has passed.
    static func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(.zero, deadline - ContinuousClock.now)
    }
}
