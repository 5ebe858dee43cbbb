import Foundation
import Queue

/// `switchboard stats`.
struct StatsCommand: Command {
    static let name = "stats"
    static let summary = "Counts per queue and state, oldest ready job, leases, dead letters, dedupe keys"
    static let options: [OptionSpec] = []
    static let examples = ["switchboard stats", "switchboard stats --json | jq .dead_letters"]

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.readOnly)
        let stats = try await store.stats()
        let paused = try await store.pausedQueues().keys.sorted()
        let states = JobState.allCases
        let rows = stats.queues.map { queue in [queue.queue] + states.map { String(queue.counts[$0] ?? 0) } }
        let table = TextTable(header: ["queue"] + states.map(\.rawValue), rows: rows).rendered
        let oldest = stats.oldestReadyAge.map { String(format: "%.1f s", $0.seconds) } ?? "none"
        context.output.result(
            """
            \(table)
            oldest ready job: \(oldest)
            leases: \(stats.leasesInFlight) in flight, \(stats.leasesExpired) expired
            dead letters: \(stats.deadLetters)
            dedupe keys held: \(stats.dedupeKeysHeld)
            paused queues: \(paused.isEmpty ? "none" : paused.joined(separator: ", "))
            """,
            json: [
                "queues": Dictionary(
                    uniqueKeysWithValues: stats.queues.map { queue in
                        (
                            queue.queue,
                            Dictionary(uniqueKeysWithValues: states.map { ($0.rawValue, queue.counts[$0] ?? 0) })
                        )
                    }),
                "oldest_ready_seconds": stats.oldestReadyAge.map(\.seconds).json,
                "leases_in_flight": stats.leasesInFlight,
                "leases_expired": stats.leasesExpired,
                "dead_letters": stats.deadLetters,
                "dedupe_keys_held": stats.dedupeKeysHeld,
                "paused_queues": paused,
            ]
        )
    }
}
