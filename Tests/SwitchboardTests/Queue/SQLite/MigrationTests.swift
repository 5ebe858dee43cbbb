import CSQLite
import ChatStore
import Foundation
import Queue
import Testing

@Suite("Opening and migrations")
struct MigrationTests {
    @Test("a fresh file is created and migrated; reopening keeps its jobs")
    func freshAndReopen() async throws {
        let t = try await TestStore()
        let id = try await t.enqueue().jobID
        let reopened = try await t.reopen()
        #expect(try await reopened.job(id: id)?.state == .ready)
    }

    @Test("a database from a newer schema is refused and left byte for byte as it was")
    func newerSchemaRefused() async throws {
        let t = try await TestStore()
        try await t.enqueue()
        try setUserVersion(99, at: t.directory.databasePath)
        let before = try Data(contentsOf: URL(fileURLWithPath: t.directory.databasePath))
        let error = await #expect(throws: QueueError.self) { try await t.reopen() }
        #expect(error?.code == .schemaTooNew)
        #expect(error?.message.contains("99") == true)
        let after = try Data(contentsOf: URL(fileURLWithPath: t.directory.databasePath))
        #expect(before == after)
    }

    @Test("another application's SQLite database is refused, not migrated")
    func foreignDatabase() async throws {
        let directory = try TestDirectory()
        let path = directory.path("other.db")
        try RawSQLite.run("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');", at: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = await #expect(throws: QueueError.self) { try await SwitchboardDatabase.open(.sqlite(path: path)) }
        #expect(error?.code == .foreignDatabase)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("a file that is not a database is refused with SQLite's reason")
    func notADatabase() async throws {
        let directory = try TestDirectory()
        let path = directory.path("notes.txt")
        let text = Data(String(repeating: "not a database\n", count: 100).utf8)
        try text.write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: SQLiteError.self) { try await SwitchboardDatabase.open(.sqlite(path: path)) }
        #expect(error?.resultCode == SQLITE_NOTADB)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
    }

    @Test("a missing file is refused when creation is off")
    func missingFile() async throws {
        let directory = try TestDirectory()
        var options = StoreOptions()
        options.access = .existing
        let error = await #expect(throws: QueueError.self) {
            try await SwitchboardDatabase.open(.sqlite(path: directory.path("absent.db")), options: options)
        }
        #expect(error?.code == .databaseMissing)
        #expect(!FileManager.default.fileExists(atPath: directory.path("absent.db")))
    }

    private func setUserVersion(_ version: Int, at path: String) throws {
        try RawSQLite.run("PRAGMA user_version=\(version); PRAGMA wal_checkpoint(TRUNCATE);", at: path)
    }
}
