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

    @Test("version 9 rewrites the jobs' state check in place: rows kept, the check still refuses a bad state")
    func stateCheckRewritten() async throws {
        let t = try await TestStore()
        let id = try await t.enqueue().jobID
        let path = t.directory.databasePath
        let bogusState = """
            INSERT INTO jobs (queue, kind, payload, priority, state, run_at, max_attempts, created_at, updated_at)
            VALUES ('q', 'k', x'00', 0, 'bogus', 0, 1, 0, 0)
            """
        // A database as version 8 left it: the check as an IN list, no stream holds, socket sends or API tokens.
        try RawSQLite.run(
            "ALTER TABLE link_tokens DROP COLUMN server_name; DROP TABLE api_tokens; DROP TABLE socket_sends; DROP TABLE stream_holds; PRAGMA writable_schema=ON; "
                + "UPDATE sqlite_schema SET sql = replace(sql, "
                + "'CHECK (state = ''scheduled'' OR state = ''ready'' OR state = ''leased'' OR state = ''blocked'' "
                + "OR state = ''completed'' OR state = ''dead'')', "
                + "'CHECK (state IN (''scheduled'', ''ready'', ''leased'', ''blocked'', ''completed'', ''dead''))') "
                + "WHERE name = 'jobs'; PRAGMA schema_version=100; PRAGMA writable_schema=OFF; "
                + "PRAGMA user_version=8; PRAGMA wal_checkpoint(TRUNCATE);",
            at: path)
        #expect(
            try RawSQLite.integer(
                "SELECT instr(sql, 'state IN (') > 0 FROM sqlite_schema WHERE name = 'jobs'", at: path) == 1)
        #expect(throws: RawSQLiteError.self) { try RawSQLite.run(bogusState, at: path) }

        let reopened = try await t.reopen()
        #expect(try await reopened.schemaVersion() == 13)
        #expect(try await reopened.job(id: id)?.state == .ready)
        #expect(
            try RawSQLite.integer("SELECT instr(sql, 'state IN (') FROM sqlite_schema WHERE name = 'jobs'", at: path)
                == 0)
        #expect(
            try RawSQLite.integer("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'", at: path)
                == 1)
        let error = #expect(throws: RawSQLiteError.self) { try RawSQLite.run(bogusState, at: path) }
        #expect(error?.message.contains("CHECK constraint failed") == true)
        try await reopened.enqueue(NewJob(queue: "q", kind: "k", payload: Data()))
    }

    private func setUserVersion(_ version: Int, at path: String) throws {
        try RawSQLite.run("PRAGMA user_version=\(version); PRAGMA wal_checkpoint(TRUNCATE);", at: path)
    }
}
