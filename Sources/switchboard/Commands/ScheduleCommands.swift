import Foundation
import JSON
import Queue

/// `switchboard schedule add`.
struct ScheduleAddCommand: Command {
    static let name = "schedule add"
    static let summary = "Add a recurring job: one job per cron tick, fleet-wide"
    static let operands = "NAME"
    private static let cron = Option<String>.text(
        "cron", "EXPR", "five fields: minute hour day-of-month month day-of-week (ranges, steps, names)"
    ).required
    private static let timeZone = Option<String>.text(
        "timezone", "ZONE", "the zone the ticks are wall-clock times of, e.g. Europe/Berlin (default UTC)")
    private static let queue = Option<String>.text("queue", "Q", "the queue each job goes to").required
    private static let kind = Option<String>.text("kind", "K", "each job's kind").required
    private static let payload = Option<String>.text("payload", "JSON", "each job's payload (default {})")
    private static let replace = Flag("replace", "replace a schedule of the same name")

    static let options = [
        Self.cron.spec, Self.timeZone.spec, Self.queue.spec, Self.kind.spec, Self.payload.spec, Self.replace.spec,
    ]
    static let examples = [
        #"switchboard schedule add nightly-report --cron "30 2 * * *" --timezone Europe/Berlin --queue reports --kind make"#,
        #"switchboard schedule add poll-feeds --cron "*/5 * * * *" --queue feeds --kind fetch --payload '{"all":true}'"#,
        "",
        "Running workers fire due schedules as they claim: one job per tick however many run. Ticks missed while",
        "no worker ran fire once, as one job. A wall time that a daylight-saving change skips does not run; one it",
        "repeats runs once. Exits 65 if a schedule of the name exists (unless --replace).",
    ]

    let schedule: Schedule
    let replace: Bool

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else { throw CommandFailure.usage("give exactly one schedule name") }
        let payload = try arguments.value(Self.payload) ?? "{}"
        do {
            _ = try JSONParser.parse(Data(payload.utf8))
        } catch {
            throw CommandFailure.usage("--payload is \(error)")
        }
        let name = arguments.positionals[0]
        do {
            try NewJob.validateName(name, field: "the schedule's NAME")
        } catch let error as QueueError {
            throw CommandFailure.usage(error.message)
        }
        do {
            schedule = try Schedule(
                name: name, cron: try CronExpression(try arguments.required(Self.cron)),
                timeZone: try arguments.value(Self.timeZone) ?? "UTC", queue: try arguments.required(Self.queue),
                kind: try arguments.required(Self.kind), payload: Data(payload.utf8))
            try schedule.validate()
        } catch let error as QueueError {
            throw CommandFailure.usage("--\(error.message)")
        }
        replace = try arguments.isSet(Self.replace)
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.create)
        guard try await store.addSchedule(schedule, replacing: replace) else {
            throw CommandFailure.data(
                "there is a schedule named \(schedule.name) already; give --replace to replace it")
        }
        let next = try await store.schedules().first { $0.schedule.name == schedule.name }?.nextRunAt
        context.output.result(
            "schedule \(schedule.name): \(schedule.cron) (\(schedule.timeZoneName)); next run "
                + (next?.description ?? "never"),
            json: ScheduleListCommand.fields(ScheduleRecord(schedule: schedule, nextRunAt: next)))
    }
}

/// `switchboard schedule list`.
struct ScheduleListCommand: Command {
    static let name = "schedule list"
    static let summary = "List the recurring schedules and when each runs next"
    static let options: [OptionSpec] = []
    static let examples = ["switchboard schedule list", "switchboard schedule list --json"]

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
    }

    func run(_ context: CommandContext) async throws {
        let schedules = try await context.openStore(.readOnly).schedules()
        if context.output.json {
            for record in schedules {
                context.output.result("", json: Self.fields(record))
            }
            return
        }
        let rows = schedules.map { record in
            let schedule = record.schedule
            return [
                schedule.name, schedule.cron.description, schedule.timeZoneName, schedule.queue, schedule.kind,
                record.nextRunAt?.description ?? "never",
            ]
        }
        context.output.result(
            TextTable(header: ["name", "cron", "zone", "queue", "kind", "next run"], rows: rows).rendered, json: [:])
    }

    static func fields(_ record: ScheduleRecord) -> JSONObject {
        var fields: JSONObject = [
            "name": record.schedule.name, "cron": record.schedule.cron.description,
            "timezone": record.schedule.timeZoneName, "queue": record.schedule.queue,
            "kind": record.schedule.kind,
        ]
        fields.set("payload", try? JSONParser.parse(record.schedule.payload))
        fields.set("next_run_at", record.nextRunAt?.description)
        return fields
    }
}

/// `switchboard schedule remove`.
struct ScheduleRemoveCommand: Command {
    static let name = "schedule remove"
    static let summary = "Remove a recurring schedule (its jobs already enqueued stay)"
    static let operands = "NAME"
    static let options: [OptionSpec] = []
    static let examples = ["switchboard schedule remove nightly-report"]

    let name: String

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else { throw CommandFailure.usage("give exactly one schedule name") }
        name = arguments.positionals[0]
    }

    func run(_ context: CommandContext) async throws {
        guard try await context.openStore(.existing).removeSchedule(named: name) else {
            throw CommandFailure.data("there is no schedule named \(name)")
        }
        context.output.result("removed schedule \(name)", json: ["name": name, "removed": true])
    }
}
