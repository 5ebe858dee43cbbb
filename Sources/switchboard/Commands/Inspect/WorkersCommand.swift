import Foundation
import JSON
import Queue

/// `switchboard workers`.
struct WorkersCommand: Command {
    static let name = "workers"
    static let summary = "List the worker processes: live, stale (not heard from lately) or gone"
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard workers", "switchboard workers --json",
        "",
        "Each worker refreshes its row with the exchanges it commits anyway (at least every 5 s, or a third of",
        "its lease). A row not refreshed for three times that is stale: the process is stuck or was killed, and",
        "its leases come back when they expire. A worker that stopped cleanly is gone; rows are kept a day.",
        "",
        "wake-ups says how a worker notices new work: notifications (PostgreSQL's LISTEN), local (SQLite, on one",
        "machine), or polling (nothing tells it: it looks every 250 ms; the reason is printed below the table).",
    ]

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.readOnly)
        let now = store.clock.now()
        let workers = try await store.workers()
        if context.output.json {
            for worker in workers {
                context.output.result("", json: Self.fields(worker, now: now))
            }
            return
        }
        let rows = workers.map { worker -> [String] in
            let registration = worker.registration
            let totals = registration.tally.totals
            return [
                registration.id, worker.state(at: now).rawValue, registration.version,
                registration.queues.joined(separator: ","), "\(registration.inFlight)/\(registration.concurrency)",
                registration.wakeups?.description ?? "-", "\(totals.completed)", "\(totals.retried)",
                "\(totals.deadLettered)", "\(totals.leasesLost)",
                registration.startedAt.description, worker.seenAt.description,
            ]
        }
        context.output.result(
            TextTable(
                header: [
                    "worker", "state", "version", "queues", "running", "wake-ups", "completed", "retried", "dead",
                    "lost", "started", "seen",
                ], rows: rows
            ).rendered + Self.pollingReasons(workers, now: now), json: [:])
    }

    /// Why a worker polls; nil when it does not.
    private static func pollingReason(_ wakeups: Wakeups?) -> String? {
        guard case .polling(let reason) = wakeups else { return nil }
        return reason
    }

    /// Why each live worker that polls does, one line each, after the table.
    private static func pollingReasons(_ workers: [WorkerRecord], now: Timestamp) -> String {
        workers.compactMap { worker in
            guard worker.state(at: now) == .live, let reason = pollingReason(worker.registration.wakeups) else {
                return nil
            }
            return "\n\(worker.registration.id) polls: \(reason)"
        }.joined()
    }

    static func fields(_ worker: WorkerRecord, now: Timestamp) -> JSONObject {
        let registration = worker.registration
        var counts = JSONObject()
        for (queue, kinds) in registration.tally.counts.sorted(by: { $0.key < $1.key }) {
            var byKind = JSONObject()
            for (kind, tally) in kinds.sorted(by: { $0.key < $1.key }) {
                byKind.set(
                    kind,
                    [
                        "completed": tally.completed, "retried": tally.retried, "dead_lettered": tally.deadLettered,
                        "snoozed": tally.snoozed, "leases_lost": tally.leasesLost,
                    ] as JSONObject)
            }
            counts.set(queue, .object(byKind))
        }
        return [
            "id": registration.id, "state": worker.state(at: now).rawValue, "host": registration.host,
            "pid": registration.pid, "version": registration.version, "queues": registration.queues,
            "concurrency": registration.concurrency, "in_flight": registration.inFlight,
            "started_at": registration.startedAt.description, "seen_at": worker.seenAt.description,
            "wakeups": registration.wakeups.map { JSONValue.string($0.description) } ?? .null,
            "wakeups_reason": pollingReason(registration.wakeups).map(JSONValue.string) ?? .null,
            "counts": counts,
            "events": JSONObject(
                registration.tally.events.sorted { $0.key < $1.key }.map {
                    .init(key: $0.key, value: .integer(Int64($0.value)))
                }),
        ]
    }
}
