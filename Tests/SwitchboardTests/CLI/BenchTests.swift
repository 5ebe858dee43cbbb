import Foundation
import JSON
import Testing

/// Every benchmark runs to its end at a small size and prints its figures: a broken benchmark fails here.
/// (The figures themselves are for `bench` runs on a quiet machine, not for tests.)
@Suite("Benchmarks at a small size", .serialized, .timeLimit(.minutes(3)))
struct BenchTests {
    @Test(
        "each bench subcommand finishes and reports its figures",
        arguments: [
            (
                [
                    "bench", "queue", "--jobs", "1000", "--processes", "2", "--concurrency", "16", "--latency-rate",
                    "200",
                    "--latency-seconds", "1",
                ],
                [
                    "claim_complete_many_processes_per_s", "latency_p50_ms", "baseline_single_inserts_per_s",
                    "thread_round_trip_us",
                ]
            ),
            (["bench", "intake", "--events", "1000"], ["intake_batched_per_s", "normalise_only_per_s"]),
            (
                ["bench", "pipeline", "--events", "300", "--rate", "100", "--seconds", "1"],
                ["pipeline_events_per_s", "latency_p50_ms"]
            ),
            (
                ["bench", "pipeline", "--events", "300", "--rate", "50", "--seconds", "1", "--workers", "1"],
                ["pipeline_events_per_s", "latency_p99_ms"]
            ),
            (
                ["bench", "serve", "--events", "1000", "--rate", "100", "--seconds", "1", "--wrk-seconds", "1"],
                ["serve_events_per_s", "intake_batched_per_s", "latency_p99_ms", "wrk_events_per_s"]
            ),
            (
                ["bench", "pipeline", "--agent", "echo-stream", "--rate", "10", "--seconds", "1"],
                ["first_text_p50_ms", "final_text_p99_ms", "edits_per_answer"]
            ),
            (["bench", "receive", "--events", "1000"], ["receive_events_per_s", "intake_batched_per_s"]),
        ])
    func runsToTheEnd(arguments: [String], fields: [String]) async throws {
        try await run(arguments, fields: fields, database: [])
    }

    @Test(
        "on PostgreSQL, each bench subcommand finishes, reports its figures and leaves no schema behind",
        .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"),
        arguments: [
            (
                [
                    "bench", "queue", "--jobs", "1000", "--processes", "2", "--concurrency", "16", "--latency-rate",
                    "200", "--latency-seconds", "1",
                ], ["claim_complete_many_processes_per_s", "baseline_naive_claim_ack_concurrent_per_s"]
            ),
            (["bench", "intake", "--events", "1000"], ["intake_batched_per_s"]),
            (["bench", "pipeline", "--events", "300", "--rate", "100", "--seconds", "1"], ["pipeline_events_per_s"]),
            (
                ["bench", "serve", "--events", "1000", "--rate", "100", "--seconds", "1", "--wrk-seconds", "0"],
                ["serve_events_per_s", "latency_p99_ms"]
            ),
            (["bench", "receive", "--events", "1000"], ["receive_events_per_s"]),
        ])
    func runsToTheEndOnPostgres(arguments: [String], fields: [String]) async throws {
        let location = try await TestPostgres.newDatabase()
        try await run(arguments, fields: fields, database: ["--db", location.connectionText])
        guard case .postgres(let url) = location else { return }
        let schemas = try BehindTheStore.connect(url).execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'switchboard%'"
        ).first { $0.int64(0) }
        #expect(schemas == 0)
    }

    @Test(
        "the text reports' labels say what was measured at the size run",
        arguments: [
            (
                [
                    "bench", "queue", "--jobs", "2000", "--processes", "2", "--concurrency", "16", "--latency-rate",
                    "200", "--latency-seconds", "1",
                ],
                [
                    "enqueue, batched (2,000/tx)", "2,000 jobs per batched phase",
                    "one process committing 2,000 jobs per transaction beside 1 process committing one job per "
                        + "transaction",
                    "claim+complete, 2 processes",
                ]
            ),
            (
                ["bench", "intake", "--events", "1000"],
                [
                    "intake, batched (1,000/tx)", "enqueue, batched (1,000/tx), same run",
                    "write pre-normalised jobs only (1,000/tx)", "intake, one event per transaction (100 events)",
                ]
            ),
            (
                ["bench", "pipeline", "--events", "300", "--rate", "50", "--seconds", "1", "--workers", "1"],
                ["; 1 worker process with 32 jobs in flight each;"]
            ),
        ])
    func labels(arguments: [String], labels: [String]) async throws {
        let text = try await report(arguments, database: [])
        #expect(text.split(separator: "\n")[1].hasPrefix("machine: ") && text.contains("; SQLite 3."), "\(text)")
        for label in labels {
            #expect(text.contains(label), "\(label) in \(text)")
        }
        for garbled in ["10000/tx", "10,000/tx", "1 one per", "1 worker processes", " 1 processes"] {
            #expect(!text.contains(garbled), "\(garbled) in \(text)")
        }
    }

    @Test(
        "on PostgreSQL, a report names the server and its version, not SQLite's",
        .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"))
    func postgresLabels() async throws {
        let location = try await TestPostgres.newDatabase()
        let text = try await report(
            [
                "bench", "queue", "--jobs", "1000", "--processes", "2", "--concurrency", "16", "--latency-rate", "200",
                "--latency-seconds", "1",
            ], database: ["--db", location.connectionText])
        let machine = text.split(separator: "\n")[1]
        #expect(machine.firstMatch(of: /; PostgreSQL \d+\.\d+$/) != nil, "\(text)")
        #expect(!text.contains("SQLite"), "\(text)")
    }

    /// A bench subcommand's text report.
    private func report(_ arguments: [String], database: [String]) async throws -> String {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            arguments + database + ["--durability", "normal", "--dir", directory.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    private func run(_ arguments: [String], fields: [String], database: [String]) async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            arguments + database + ["--durability", "normal", "--dir", directory.url.path, "--json"]
        )
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for field in fields {
            let value = try #require(report[field] as? Double, "\(field) in \(result.stdout)")
            #expect(value > 0, "\(field)")
        }
        let engine = try #require(report["database"] as? String, "the database measured, in \(result.stdout)")
        #expect(engine.hasPrefix(database.isEmpty ? "SQLite 3." : "PostgreSQL "), "\(engine)")
    }
}
