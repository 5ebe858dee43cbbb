import Enqueuer
import Foundation
import Queue
import Synchronization

/// What `serve` counts, and the Prometheus text exposition of it with the queue's own figures.
final class ServeMetrics: Sendable {
    /// The upper bounds of the request-duration histogram's buckets, in seconds.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct Counts {
        var intake: [String: [String: Int]] = [:]
        var durations = [Int](repeating: 0, count: ServeMetrics.buckets.count)
        var durationCount = 0
        var durationSum = 0.0
    }

    private let counts = Mutex(Counts())

    func recordIntake(provider: Provider, status: IntakeResult.Status) {
        counts.withLock { $0.intake[provider.rawValue, default: [:]][status.rawValue, default: 0] += 1 }
    }

    func recordRequest(seconds: Double) {
        counts.withLock { counts in
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound {
                counts.durations[index] += 1
            }
            counts.durationCount += 1
            counts.durationSum += seconds
        }
    }

    /// The exposition: the queue's jobs, oldest-ready ages and dead letters per queue, the intake counts,
    /// the request-duration histogram, and the fleet's workers and counters from their rows.
    func exposition(_ stats: QueueStats, workers: [WorkerRecord], now: Timestamp) -> String {
        let counts = self.counts.withLock { $0 }
        var lines = [
            "# HELP switchboard_jobs Jobs by queue and state.", "# TYPE switchboard_jobs gauge",
        ]
        for queue in stats.queues {
            for state in JobState.allCases {
                lines.append(
                    "switchboard_jobs{queue=\"\(Self.label(queue.queue))\",state=\"\(state.rawValue)\"} \(queue.counts[state] ?? 0)"
                )
            }
        }
        lines += [
            "# HELP switchboard_oldest_ready_age_seconds How long the queue's longest-waiting runnable job has waited.",
            "# TYPE switchboard_oldest_ready_age_seconds gauge",
        ]
        for queue in stats.queues {
            lines.append(
                "switchboard_oldest_ready_age_seconds{queue=\"\(Self.label(queue.queue))\"} "
                    + Self.number(queue.oldestReadyAge?.seconds ?? 0))
        }
        lines += ["# HELP switchboard_dead_letters Dead letters by queue.", "# TYPE switchboard_dead_letters gauge"]
        for queue in stats.queues {
            lines.append("switchboard_dead_letters{queue=\"\(Self.label(queue.queue))\"} \(queue.counts[.dead] ?? 0)")
        }
        lines += [
            "# HELP switchboard_intake_total Deliveries received by serve, by provider and outcome.",
            "# TYPE switchboard_intake_total counter",
        ]
        for (provider, statuses) in counts.intake.sorted(by: { $0.key < $1.key }) {
            for (status, count) in statuses.sorted(by: { $0.key < $1.key }) {
                lines.append("switchboard_intake_total{provider=\"\(provider)\",status=\"\(status)\"} \(count)")
            }
        }
        lines += [
            "# HELP switchboard_http_request_duration_seconds Time from a request's arrival to its answer.",
            "# TYPE switchboard_http_request_duration_seconds histogram",
        ]
        for (bound, count) in zip(Self.buckets, counts.durations) {
            lines.append("switchboard_http_request_duration_seconds_bucket{le=\"\(Self.number(bound))\"} \(count)")
        }
        lines += [
            "switchboard_http_request_duration_seconds_bucket{le=\"+Inf\"} \(counts.durationCount)",
            "switchboard_http_request_duration_seconds_sum \(Self.number(counts.durationSum))",
            "switchboard_http_request_duration_seconds_count \(counts.durationCount)",
        ]
        return (lines + Self.fleet(workers, now: now)).joined(separator: "\n") + "\n"
    }

    /// The workers by state, and their counters summed per queue and kind (a worker's counters start at
    /// zero when it starts, as Prometheus counters may), with the job-duration histogram.
    private static func fleet(_ workers: [WorkerRecord], now: Timestamp) -> [String] {
        var lines = ["# HELP switchboard_workers Worker processes by state.", "# TYPE switchboard_workers gauge"]
        for state in WorkerRecord.State.allCases {
            lines.append(
                "switchboard_workers{state=\"\(state.rawValue)\"} \(workers.count { $0.state(at: now) == state })")
        }
        var counts: [String: [String: WorkerTally.Counts]] = [:]
        var durations = [Int](repeating: 0, count: WorkerTally.durationBounds.count + 1)
        var durationSum = 0.0
        var sends: [String: Int] = [:]
        for worker in workers {
            let tally = worker.registration.tally
            for (event, count) in tally.events where event.hasPrefix("send ") {
                sends[event, default: 0] += count
            }
            for (queue, kinds) in tally.counts {
                for (kind, tally) in kinds {
                    counts[queue, default: [:]][kind, default: WorkerTally.Counts()].add(tally)
                }
            }
            durations = zip(durations, tally.durations).map(+)
            durationSum += tally.durationSum
        }
        let series: [(String, String, (WorkerTally.Counts) -> Int)] = [
            ("completed", "Jobs completed", \.completed), ("retried", "Failed attempts scheduled again", \.retried),
            ("dead_lettered", "Jobs dead-lettered", \.deadLettered),
            ("snoozed", "Jobs snoozed or handed back", \.snoozed), ("leases_lost", "Leases lost", \.leasesLost),
        ]
        for (name, help, value) in series {
            lines += [
                "# HELP switchboard_jobs_\(name)_total \(help) by the fleet's workers, by queue and kind.",
                "# TYPE switchboard_jobs_\(name)_total counter",
            ]
            for (queue, kinds) in counts.sorted(by: { $0.key < $1.key }) {
                for (kind, total) in kinds.sorted(by: { $0.key < $1.key }) {
                    lines.append(
                        "switchboard_jobs_\(name)_total{queue=\"\(label(queue))\",kind=\"\(label(kind))\"} \(value(total))"
                    )
                }
            }
        }
        lines += [
            "# HELP switchboard_sends_total Provider sends by the fleet's workers, by provider and outcome "
                + "(delivered, held: a 429 or retry-after, retried, rejected).",
            "# TYPE switchboard_sends_total counter",
        ]
        for (event, count) in sends.sorted(by: { $0.key < $1.key }) {
            let words = event.split(separator: " ")
            guard words.count == 3 else { continue }
            lines.append(
                "switchboard_sends_total{provider=\"\(label(String(words[1])))\",outcome=\"\(label(String(words[2])))\"} \(count)"
            )
        }
        lines += [
            "# HELP switchboard_job_duration_seconds How long jobs ran, from claim to the handler's answer.",
            "# TYPE switchboard_job_duration_seconds histogram",
        ]
        var cumulative = 0
        for (bound, count) in zip(WorkerTally.durationBounds, durations) {
            cumulative += count
            lines.append("switchboard_job_duration_seconds_bucket{le=\"\(number(bound))\"} \(cumulative)")
        }
        let total = durations.reduce(0, +)
        lines += [
            "switchboard_job_duration_seconds_bucket{le=\"+Inf\"} \(total)",
            "switchboard_job_duration_seconds_sum \(number(durationSum))",
            "switchboard_job_duration_seconds_count \(total)",
        ]
        return lines
    }

    /// A label value with `\`, `"` and newlines escaped, as the text format requires.
    private static func label(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.6g", value)
    }
}
