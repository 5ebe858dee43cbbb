import Foundation

/// A recurring job: at each tick of a cron expression in a time zone, one job is enqueued, fleet-wide,
/// however many workers run (each tick's job carries the tick's own dedupe key).
///
/// Workers fire due schedules as they claim. Ticks missed while no worker ran (downtime) run once, as
/// one job, not once per missed tick; the next tick is then counted from the time of firing.
public struct Schedule: Sendable, Equatable {
    public var name: String
    public var cron: CronExpression
    /// The zone's identifier as it was given (`UTC`, `Europe/Berlin`), which is what is stored and
    /// printed: Foundation's own identifier for `UTC` is `GMT`, and for `GMT+5` `GMT+0500`.
    public let timeZoneName: String
    /// The zone the ticks are wall-clock times of.
    public let timeZone: TimeZone
    public var queue: String
    public var kind: String
    public var payload: Data

    /// - Throws: `QueueError.invalidArgument` naming `timezone` when `timeZone` names no zone.
    public init(name: String, cron: CronExpression, timeZone: String, queue: String, kind: String, payload: Data)
        throws
    {
        guard let zone = TimeZone(identifier: timeZone) else {
            throw QueueError.invalid("timezone", "\(timeZone) is not a time zone (such as UTC or Europe/Berlin)")
        }
        self.name = name
        self.cron = cron
        self.timeZoneName = timeZone
        self.timeZone = zone
        self.queue = queue
        self.kind = kind
        self.payload = payload
    }

    /// The job of the tick at `tick`: its dedupe key makes a second firing of the same tick a duplicate.
    func job(forTickAt tick: Timestamp) -> NewJob {
        NewJob(
            queue: queue, kind: kind, payload: payload,
            dedupe: DedupeKey("schedule:\(name):\(tick.millisecondsSince1970)", timeToLive: .seconds(86_400)))
    }

    /// Checks the names a caller gives: the schedule's, its queue's and its kind's.
    /// - Throws: `QueueError.invalidArgument` naming the field.
    public func validate() throws {
        try NewJob.validateName(name, field: "name")
        try NewJob.validateName(queue, field: "queue")
        try NewJob.validateName(kind, field: "kind")
    }
}

/// A schedule as stored, with its next tick.
public struct ScheduleRecord: Sendable {
    public var schedule: Schedule
    /// When it fires next; nil when its expression has no tick within nine years.
    public var nextRunAt: Timestamp?

    package init(schedule: Schedule, nextRunAt: Timestamp?) {
        self.schedule = schedule
        self.nextRunAt = nextRunAt
    }

    static let columns = "name, cron, timezone, queue, kind, payload, next_run_at"

    /// - Throws: `QueueError.corrupt` when a stored expression or zone no longer reads.
    init(_ row: some StoredRow) throws {
        guard let cron = try? CronExpression(stored: row.text(1)),
            let schedule = try? Schedule(
                name: row.text(0), cron: cron, timeZone: row.text(2), queue: row.text(3), kind: row.text(4),
                payload: row.blob(5))
        else {
            throw QueueError(.corrupt, "schedule \(row.text(0)) holds an expression or time zone that does not read")
        }
        self.schedule = schedule
        nextRunAt = row.optionalInt64(6).map(Timestamp.init(millisecondsSince1970:))
    }
}
