import Foundation
import Queue
import Testing

/// The write-ahead log is copied into the database file by a checkpoint off the committing thread.
@Suite("Background checkpoints", .timeLimit(.minutes(1)))
struct CheckpointTests {
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test("commits past the log's threshold are checkpointed into the database file while writers go on")
    func logIsCheckpointed() async throws {
        let test = try await TestStore { $0.checkpointPages = 200 }
        let path = test.directory.databasePath
        let before = Self.size(path)
        // About 600 pages of log (past this store's 200-page threshold) in small transactions, as serve writes.
        let payload = Data(#"{"text":"\#(String(repeating: "x", count: 3_000))"}"#.utf8)
        for batch in 0..<20 {
            try await test.store.enqueue(
                (0..<30).map { NewJob(queue: "q", kind: "k", payload: payload, groupKey: "g\(batch)-\($0)") })
        }
        #expect(Self.size(path + "-wal") > 0)
        try await waitUntil("the checkpoint copies the log into the database file") {
            Self.size(path) > before + 1_024 * 1_024
        }
    }
}
