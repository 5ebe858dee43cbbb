import Foundation
import Queue
import Testing

/// Cron expressions, their ticks across daylight-saving changes, and schedules fired by claiming stores.
@Suite("Recurring schedules", .timeLimit(.minutes(3)))
struct ScheduleTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let utc = TimeZone(identifier: "UTC")!

    /// An instant given as UTC wall time.
    static func utc(_ text: String) -> Timestamp {
        let date = try! Date(text + "Z", strategy: .iso8601)
        return Timestamp(millisecondsSince1970: Int64(date.timeIntervalSince1970 * 1_000))
    }

    static func move(_ clock: ManualClock, to instant: Timestamp) {
        clock.advance(by: instant - clock.now())
    }

    /// The first `count` ticks after `start`.
    static func ticks(_ expression: String, after start: Timestamp, in zone: TimeZone, count: Int) throws -> [Timestamp]
    {
        let cron = try CronExpression(expression)
        var ticks: [Timestamp] = []
        var last = start
        while ticks.count < count, let next = cron.nextTick(after: last, in: zone) {
            ticks.append(next)
            last = next
        }
        return ticks
    }

    @Test("ranges, steps, lists and names; a wrong field is named")
    func parsing() throws {
        #expect(
            try Self.ticks("*/20 9-10 * * *", after: Self.utc("2026-06-01T09:05:00"), in: Self.utc, count: 4)
                == ["09:20", "09:40", "10:00", "10:20"].map { Self.utc("2026-06-01T\($0):00") })
        #expect(
            try Self.ticks("0 12 * jan,JUL sun", after: Self.utc("2026-06-01T00:00:00"), in: Self.utc, count: 2)
                == [Self.utc("2026-07-05T12:00:00"), Self.utc("2026-07-12T12:00:00")])
        #expect(
            try Self.ticks("0 0 * * 7", after: Self.utc("2026-06-01T00:00:00"), in: Self.utc, count: 2)
                == Self.ticks("0 0 * * 0", after: Self.utc("2026-06-01T00:00:00"), in: Self.utc, count: 2),
            "7 is Sunday too")
        // Day of month and day of week both restricted: either one runs (Friday the 13th runs on every Friday too).
        #expect(
            try Self.ticks("0 0 13 * fri", after: Self.utc("2026-03-01T00:00:00"), in: Self.utc, count: 3)
                == ["2026-03-06", "2026-03-13", "2026-03-20"].map { Self.utc($0 + "T00:00:00") })
        for (text, field) in [
            ("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day of month"), ("* * * 13 *", "month"),
            ("* * * * mon-sun-x", "day of week"), ("*/0 * * * *", "minute"), ("5-1 * * * *", "minute"),
        ] {
            let error = #expect(throws: QueueError.self, "\(text)") { try CronExpression(text) }
            #expect(error?.message.contains(field) == true, "\(text): \(error?.message ?? "")")
        }
        #expect(throws: QueueError.self) { try CronExpression("* * * *") }
    }

    @Test(
        "an expression that can never run is refused, naming the day of month field",
        arguments: ["0 0 30 2 *", "0 0 30,31 feb *", "15 10 31 4,6,9,11 *", "* * 31 feb-apr/2 *"])
    func neverRuns(text: String) throws {
        let error = #expect(throws: QueueError.self) { try CronExpression(text) }
        #expect(error?.message.contains("day of month field") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("never run") == true, "\(error?.message ?? "")")
        // One stored before the refusal still reads, and never runs.
        #expect(try CronExpression(stored: text).nextTick(after: Self.utc("2026-01-01T00:00:00"), in: Self.utc) == nil)
    }

    @Test("February 29th runs, across the century year that is not a leap year")
    func leapDay() throws {
        #expect(
            try Self.ticks("0 0 29 2 *", after: Self.utc("2026-01-01T00:00:00"), in: Self.utc, count: 1)
                == [Self.utc("2028-02-29T00:00:00")])
        #expect(
            try Self.ticks("0 0 29 2 *", after: Self.utc("2096-03-01T00:00:00"), in: Self.utc, count: 1)
                == [Self.utc("2104-02-29T00:00:00")])
        // Both days restricted: either runs, so a February 30th with Mondays runs on Mondays.
        #expect(
            try Self.ticks("0 0 30 2 mon", after: Self.utc("2026-01-01T00:00:00"), in: Self.utc, count: 1)
                == [Self.utc("2026-02-02T00:00:00")])
    }

    @Test(
        "hostile fields are refused naming the field, or read, and never trap",
        arguments: [
            ("99999999999999999999 * * * *", "minute"), ("*/99999999999999999999 * * * *", "minute"),
            ("* -1 * * *", "hour"), ("* * */-1 * *", "day of month"), ("* * * 1-2-3 *", "month"),
            ("* * * * 6-0", "day of week"), ("* * * * ,", "day of week"), ("* * * 5/0 *", "month"),
            ("9223372036854775807 * * * *", "minute"),
        ])
    func hostileFields(text: String, field: String) {
        let error = #expect(throws: QueueError.self, "\(text)") { try CronExpression(text) }
        #expect(error?.message.contains(field) == true, "\(text): \(error?.message ?? "")")
    }

    @Test("huge steps read as one value each, without overflowing")
    func hugeSteps() throws {
        let after = Self.utc("2026-06-01T09:05:00")
        #expect(
            try Self.ticks("59/9223372036854775807 23/9223372036854775807 * * *", after: after, in: Self.utc, count: 2)
                == [Self.utc("2026-06-01T23:59:00"), Self.utc("2026-06-02T23:59:00")])
    }

    @Test("Berlin's spring-forward hour is skipped: a 02:30 tick does not run that night")
    func springForward() throws {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST.
        #expect(
            try Self.ticks("30 2 * * *", after: Self.utc("2026-03-28T00:00:00"), in: Self.berlin, count: 2)
                == [Self.utc("2026-03-28T01:30:00"), Self.utc("2026-03-30T00:30:00")])
        #expect(
            try Self.ticks("*/30 * * * *", after: Self.utc("2026-03-29T00:15:00"), in: Self.berlin, count: 3)
                == [Self.utc("2026-03-29T00:30:00"), Self.utc("2026-03-29T01:00:00"), Self.utc("2026-03-29T01:30:00")],
            "01:30 CET, then 03:00 and 03:30 CEST")
    }

    @Test("Berlin's repeated autumn hour runs once, at its first occurrence")
    func fallBack() throws {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:00-02:59 happens twice.
        #expect(
            try Self.ticks("30 2 * * *", after: Self.utc("2026-10-24T12:00:00"), in: Self.berlin, count: 2)
                == [Self.utc("2026-10-25T00:30:00"), Self.utc("2026-10-26T01:30:00")])
        #expect(
            try Self.ticks("0 * * * *", after: Self.utc("2026-10-24T23:30:00"), in: Self.berlin, count: 3)
                == [Self.utc("2026-10-25T00:00:00"), Self.utc("2026-10-25T02:00:00"), Self.utc("2026-10-25T03:00:00")],
            "02:00 CEST, then 03:00 and 04:00 CET: the second 02:00 does not run")
    }

    @Test(
        "several stores claiming at one tick enqueue one job; ticks missed in downtime run once",
        arguments: TestBackend.conformance)
    func firing(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        Self.move(t.clock, to: Self.utc("2026-06-01T10:03:00"))
        let schedule = try Schedule(
            name: "report", cron: try CronExpression("*/5 * * * *"), timeZone: "Europe/Berlin", queue: "reports",
            kind: "make", payload: Data(#"{"what":"daily"}"#.utf8))
        #expect(try await t.store.addSchedule(schedule))
        #expect(try await !t.store.addSchedule(schedule), "a second schedule of the name is refused")
        #expect(try await t.store.schedules().first?.nextRunAt == Self.utc("2026-06-01T10:05:00"))
        let stores = [t.store, try await t.reopen(), try await t.reopen()]
        func claimAll() async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores {
                    group.addTask {
                        _ = try await store.claim(
                            queues: ["other"], limit: 1, leaseDuration: .seconds(30), workerID: "w")
                    }
                }
                try await group.waitForAll()
            }
        }
        try await claimAll()
        #expect(try await t.store.jobs(queue: "reports").isEmpty, "not before its tick")
        Self.move(t.clock, to: Self.utc("2026-06-01T10:05:00"))
        try await claimAll()
        try await claimAll()
        let fired = try await t.store.jobs(queue: "reports")
        #expect(fired.count == 1, "one job for the tick, whoever fired it")
        #expect(fired.first?.kind == "make" && fired.first?.payload == schedule.payload)

        Self.move(t.clock, to: Self.utc("2026-06-01T11:02:00"))
        try await claimAll()
        #expect(try await t.store.jobs(queue: "reports").count == 2, "eleven missed ticks run once")
        #expect(try await t.store.schedules().first?.nextRunAt == Self.utc("2026-06-01T11:05:00"))
        #expect(try await t.store.removeSchedule(named: "report"))
        #expect(try await t.store.schedules().isEmpty)
    }
}
