import ChatStore
import Foundation
import Queue
import Testing

/// A stored value this build cannot read is reported as corruption, never read as a default.
@Suite("Values changed behind the store's back")
struct CorruptionTests {
    @Test(
        "an error history that is not one Switchboard wrote is a corruption error, not an empty history",
        arguments: TestBackend.conformance)
    func unreadableErrorHistory(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let id = try await test.enqueue().jobID
        try BehindTheStore.run(
            "UPDATE jobs SET error_history = '{\"not\": \"a list\"}' WHERE id = \(id)", on: test.location)
        let error = await #expect(throws: QueueError.self) { try await test.store.job(id: id) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("error history") == true, "\(error?.message ?? "")")
    }

    @Test("a dead-letter reason this build does not know is a corruption error", arguments: TestBackend.conformance)
    func unknownDeadReason(backend: TestBackend) async throws {
        let test = try await TestStore(backend)
        let id = try await test.enqueue().jobID
        try BehindTheStore.run("UPDATE jobs SET dead_reason = 'gremlins' WHERE id = \(id)", on: test.location)
        let error = await #expect(throws: QueueError.self) { try await test.store.job(id: id) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("dead-letter reason") == true)
    }
}
