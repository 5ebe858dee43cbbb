import CSQLite
import ChatStore
import Foundation
import JSON
import Queue
import Testing

/// A writer that holds the write lock and does not let go (stopped, say) holds the others up only so long.
@Suite("Waiting for the write lock", .serialized, .timeLimit(.minutes(3)))
struct WriterLockTests {
    @Test("a write waits at most the lock timeout, then fails as contended, naming the holder")
    func boundedWait() async throws {
        let test = try await TestStore { $0.lockTimeout = .milliseconds(300) }
        let held = try WriterLock(databasePath: test.directory.databasePath)
        let started = ContinuousClock.now
        let error = await #expect(throws: QueueError.self) { try await test.enqueue() }
        #expect(error?.code == .contended)
        #expect(error?.message.contains("process \(getpid())") == true, "\(error?.message ?? "")")
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        held.release()
        try await test.enqueue()
        #expect(try await test.store.jobs().count == 1, "the refused write wrote nothing; the next one works")
    }

    @Test("a command that cannot get the lock exits 75, naming a stopped holder's pid")
    func stoppedHolder() async throws {
        let directory = try TestDirectory()
        _ = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let holder = try SwitchboardProcess.start(
            ["bench", "worker", "--contend", "60"], database: directory.databasePath)
        defer {
            holder.signal(SIGCONT)
            holder.signal(SIGKILL)
        }
        #expect(await holder.readLine() == "ready")
        holder.write("go\n")
        // Stop it until it is stopped inside a transaction, holding the lock.
        try await waitUntil("the contending writer is stopped holding the write lock") {
            holder.signal(SIGSTOP)
            try await waitUntil("it has stopped") {
                (try? String(contentsOfFile: "/proc/\(holder.pid)/stat", encoding: .utf8))?.contains(") T ") == true
            }
            if WriterLock.holder(of: directory.databasePath) == holder.pid { return true }
            holder.signal(SIGCONT)
            return false
        }
        let result = try await SwitchboardProcess.run(
            ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--lock-timeout", "0.5"],
            database: directory.databasePath
        )
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("process \(holder.pid) held the write lock"), "\(result.stderr)")
    }

    @Test("another program's lock makes a write contended, with SQLite's busy error as its cause")
    func foreignLockIsTheCause() async throws {
        let test = try await TestStore { $0.lockTimeout = .milliseconds(200) }
        var handle: OpaquePointer?
        try #require(sqlite3_open(test.directory.databasePath, &handle) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        try #require(sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK)
        let error = await #expect(throws: QueueError.self) { try await test.enqueue() }
        #expect(error?.code == .contended)
        let cause = try #require(error?.cause as? SQLiteError)
        #expect(cause.isContention)
        #expect(
            error?.detailedDescription.contains("caused by: SQLite error 5") == true,
            "\(error?.detailedDescription ?? "")")
        sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
    }
}
