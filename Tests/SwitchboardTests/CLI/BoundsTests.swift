import ChatStore
import Foundation
import Queue
import Testing

/// Every numeric flag and batch field goes through one bounds check: a usage error or a bad line, never a trap.
@Suite("Numeric bounds", .timeLimit(.minutes(3)))
struct BoundsTests {
    @Test(
        "an out-of-range number is a usage error naming the flag, and creates nothing",
        arguments: [
            (["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--delay", "1e16"], "--delay"),
            (["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--dedupe-ttl", "1e300"], "--dedupe-ttl"),
            (
                ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--priority", "1000000000000"],
                "--priority"
            ),
            (["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--max-attempts", "0"], "--max-attempts"),
            (["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--delay", "-5"], "--delay"),
            (["work", "--lease", "1e300"], "--lease"),
            (["work", "--shutdown-grace", "1e300"], "--shutdown-grace"),
            (["work", "--snooze", "1e300"], "--snooze"),
            (["work", "--concurrency", "1e300"], "--concurrency"),
            (["intake", "--provider", "slack", "--dedupe-ttl", "1e300"], "--dedupe-ttl"),
            (["dlq", "purge", "--older-than", "1e300d", "--yes"], "--older-than"),
            (["dlq", "redrive", "--all", "--rate", "nan"], "--rate"),
            (["jobs", "list", "--limit", "inf"], "--limit"),
        ])
    func outOfRangeFlag(arguments: [String], flag: String) async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("\(flag) must be"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
    }

    @Test(
        "a duration that decides what is deleted needs a unit: a bare number is refused, naming the flag",
        arguments: [
            (["dlq", "purge", "--older-than", "0", "--yes"], "--older-than"),
            (["dlq", "purge", "--older-than", "7", "--dry-run"], "--older-than"),
            (["work", "--queue", "q", "--exec", "true", "--drain", "--retain-completed", "7"], "--retain-completed"),
        ])
    func destructiveDurationNeedsUnit(arguments: [String], flag: String) async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let id = try await store.enqueue(NewJob(queue: "dead", kind: "k", maxAttempts: 1)).jobID
        for job in try await store.claim(queues: ["dead"], limit: 1, leaseDuration: .seconds(30), workerID: "t") {
            try await store.fail(job.lease, error: "gone", retryable: false)
        }
        try await store.enqueue(NewJob(queue: "q", kind: "k"))
        let result = try await SwitchboardProcess.run(arguments, database: directory.databasePath)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(
            result.stderr.contains("\(flag) needs a unit (s, m, h or d), such as 45s, 30m, 12h or 7d"),
            "\(result.stderr)")
        #expect(try await store.deadLetters().map(\.id) == [id], "the dead letter is still there")
        #expect(try await store.jobs(queue: "q").count == 1, "the worker did not run")
        let withUnit = try await SwitchboardProcess.run(
            ["dlq", "purge", "--older-than", "0s", "--yes"], database: directory.databasePath)
        #expect(withUnit.status == 0 && withUnit.stdout == "purged 1 dead letters\n", "\(withUnit.stderr)")
    }

    @Test(
        "batch lines have the flags' bounds, and a line out of bounds is bad data naming it",
        arguments: [
            (#"{"kind":"k","delay":-100}"#, #"line 1: "delay" must be a duration from 0s"#),
            (
                #"{"kind":"k"}"# + "\n" + #"{"kind":"k","priority":1000000000000}"#,
                #"line 2: "priority" must be a whole number from -1000000 to 1000000"#
            ),
            (#"{"kind":"k","dedupe_key":"a","dedupe_ttl":1e300}"#, #"line 1: "dedupe_ttl" must be a duration"#),
            (#"{"kind":"k","max_attempts":2.5}"#, #"line 1: "max_attempts" must be a whole number"#),
            (#"{"kind":"k","delay":1e16}"#, #"line 1: "delay" must be a duration"#),
        ])
    func outOfRangeLine(input: String, message: String) async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let result = try await SwitchboardProcess.run(
            ["enqueue", "--batch", "--queue", "q"], database: directory.databasePath, stdin: input
        )
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try await store.jobs().isEmpty)
    }
}
