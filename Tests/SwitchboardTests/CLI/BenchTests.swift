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
                ], ["claim_complete_many_processes_per_s", "latency_p50_ms", "baseline_single_inserts_per_s"]
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
    }
}
