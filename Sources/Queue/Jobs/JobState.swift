import Foundation

/// Where a job is in its life.
///
/// ```
///              enqueue
///   blocked ──(group head done)──┐   │
///                                ▼   ▼
///   scheduled ──(run-at due)──▶ ready ──claim──▶ leased ──complete──▶ (deleted | completed)
///       ▲                        ▲                 │
///       └──── fail (backoff), snooze ◀─────────────┤
///                                                  └──fail, exhausted, or lease lost on last attempt──▶ dead
/// ```
public enum JobState: String, Sendable, CaseIterable {
    /// Waiting for its run-at time (a delay, a retry backoff or a snooze).
    case scheduled
    /// Runnable now.
    case ready
    /// Held by a worker under a lease.
    case leased
    /// Behind an earlier job of its ordering group.
    case blocked
    /// Done, and kept because a retention window is set.
    case completed
    /// Dead-lettered: it will not run again unless redriven.
    case dead

    /// States in which a job still has work ahead of it.
    public static let live: [JobState] = [.scheduled, .ready, .leased, .blocked]
}
