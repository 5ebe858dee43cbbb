import ChatStore
import Foundation
import Queue
import Testing

/// Completed jobs are kept only while a retention is set.
@Suite("Retention", .timeLimit(.minutes(3)))
struct RetentionTests {
    @Test(
        "work --retain-completed (or the configuration's retain_completed) keeps completed jobs to inspect",
        arguments: [["--retain-completed", "1h"], ["--config", "CONFIG"], []])
    func retainCompleted(arguments: [String]) async throws {
        let directory = try TestDirectory()
        let config = directory.path("switchboard.json")
        try Data(#"{"retain_completed": 3600}"#.utf8).write(to: URL(fileURLWithPath: config))
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let id = try await store.enqueue(NewJob(queue: "q", kind: "k")).jobID
        let work = try await SwitchboardProcess.run(
            ["work", "--queue", "q", "--exec", "true", "--drain"] + arguments.map { $0 == "CONFIG" ? config : $0 },
            database: directory.databasePath
        )
        #expect(work.status == 0, "\(work.stderr)")
        let show = try await SwitchboardProcess.run(["jobs", "show", String(id)], database: directory.databasePath)
        if arguments.isEmpty {
            #expect(show.status == 65)
            #expect(show.stderr.contains("--retain-completed"), "\(show.stderr)")
        } else {
            #expect(show.status == 0, "\(show.stderr)")
            #expect(show.stdout.contains("state:        completed"), "\(show.stdout)")
        }
    }
}
