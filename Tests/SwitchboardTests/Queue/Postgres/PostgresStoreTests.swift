import ChatStore
import Foundation
import Queue
import Testing

/// What only PostgreSQL has: a server that is reached over a connection, that many processes migrate at
/// once, and that may go away and come back. The queue's rules themselves run on it through every store
/// test that takes `TestBackend.conformance`.
@Suite("PostgreSQL backend", .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"))
struct PostgresStoreTests {
    @Test("ten stores opening a new database at once migrate it once")
    func concurrentMigration() async throws {
        let location = try await TestPostgres.newDatabase()
        let stores = try await withThrowingTaskGroup(of: JobStore.self) { group in
            for _ in 0..<10 { group.addTask { try await SwitchboardDatabase.open(location) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 10)
        for store in stores {
            #expect(try await store.schemaVersion() == 13)
        }
        guard case .postgres(let url) = location else { return }
        let rows = try BehindTheStore.connect(url).execute("SELECT count(*) FROM schema_version").first { $0.int64(0) }
        #expect(rows == 1)
    }

    @Test("a database from a newer schema is refused and left as it was")
    func newerSchemaRefused() async throws {
        let t = try await TestStore(.postgres)
        try await t.enqueue()
        try BehindTheStore.run("UPDATE schema_version SET version = 99", on: t.location)
        let error = await #expect(throws: QueueError.self) { try await t.reopen() }
        #expect(error?.code == .schemaTooNew)
        guard case .postgres(let url) = t.location else { return }
        #expect(
            try BehindTheStore.connect(url).execute("SELECT version FROM schema_version").first { $0.int64(0) } == 99)
    }

    @Test("a switchboard schema holding another application's tables is refused, not migrated")
    func foreignSchemaRefused() async throws {
        let location = try await TestPostgres.newDatabase()
        try BehindTheStore.run("CREATE SCHEMA switchboard; CREATE TABLE switchboard.notes (body text)", on: location)
        let error = await #expect(throws: QueueError.self) { try await SwitchboardDatabase.open(location) }
        #expect(error?.code == .foreignDatabase)
    }

    @Test("read-only and existing-only access refuse a database with no Switchboard schema, and create none")
    func missingSchema() async throws {
        let location = try await TestPostgres.newDatabase()
        for access in [StoreAccess.readOnly, .existing] {
            var options = StoreOptions()
            options.access = access
            let error = await #expect(throws: QueueError.self) {
                try await SwitchboardDatabase.open(location, options: options)
            }
            #expect(error?.code == .databaseMissing)
        }
        guard case .postgres(let url) = location else { return }
        let schemas = try BehindTheStore.connect(url).execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'switchboard'"
        ).first { $0.int64(0) }
        #expect(schemas == 0)
    }

    @Test("a server that cannot be reached is unavailable, and the password is never shown")
    func unreachable() async throws {
        let directory = try TestDirectory()
        let url = "postgresql://ada:s3cret-password@/nowhere?host=\(directory.url.path)"
        let error = await #expect(throws: QueueError.self) { try await SwitchboardDatabase.open(.postgres(url: url)) }
        #expect(error?.code == .unavailable)
        #expect(error.map { !$0.detailedDescription.contains("s3cret") } == true, "\(error?.detailedDescription ?? "")")
        #expect(StoreLocation(url).description == "postgresql://ada:***@/nowhere?host=\(directory.url.path)")
        #expect(StoreLocation("postgres:///q?user=a&password=pw").description == "postgres:///q?user=a&password=***")
    }

    @Test("a connection the server terminates is replaced, and the store carries on")
    func terminatedConnection() async throws {
        let t = try await TestStore(.postgres)
        let id = try await t.enqueue().jobID
        guard case .postgres(let url) = t.location else { return }
        let terminated = try BehindTheStore.connect(url).execute(
            """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """
        ).first { $0.int64(0) }
        #expect((terminated ?? 0) >= 1)
        #expect(try await t.store.job(id: id)?.state == .ready)
        let job = try #require(try await t.claim().first)
        try await t.store.complete(job.lease)
        #expect(try await t.store.job(id: id) == nil)
    }

    @Test("an enqueue sent in one round trip after the server closed the store's idle connections is written once")
    func oneRoundTripEnqueueAfterTermination() async throws {
        let t = try await TestStore(.postgres)
        try await t.enqueue()
        guard case .postgres(let url) = t.location else { return }
        let observer = try BehindTheStore.connect(url)
        for round in 1...3 {
            let terminated = try observer.execute(
                """
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND query NOT LIKE 'LISTEN%'
                """
            ).first { $0.int64(0) }
            #expect((terminated ?? 0) >= 1)
            // Termination is a signal: wait until the server has closed those connections.
            try await waitUntil("the terminated connections are gone") {
                let left = try observer.execute(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND query NOT LIKE 'LISTEN%'
                    """
                ).first { $0.int64(0) }
                return left == 0
            }
            // No key, no group: the whole transaction goes in one message, which must not meet a dead connection.
            let results = try await t.store.enqueue([
                NewJob(queue: "q", kind: "k", payload: Data("\(round)a".utf8)),
                NewJob(queue: "q", kind: "k", payload: Data("\(round)b".utf8), runAt: .after(.seconds(60))),
            ])
            #expect(results.map(\.status) == [.enqueued, .enqueued])
            #expect(results[0].jobID < results[1].jobID)
            #expect(try await t.store.job(id: results[0].jobID)?.state == .ready)
            #expect(try await t.store.job(id: results[1].jobID)?.state == .scheduled)
        }
        let written = try observer.execute("SELECT count(*) FROM switchboard.jobs").first { $0.int64(0) }
        #expect(written == 7)
    }

    @Test("an enqueue on one store wakes a worker idling on another, through LISTEN")
    func notifyMovesChangeCounter() async throws {
        let t = try await TestStore(.postgres)
        let other = try await t.reopen()
        guard case .postgres(let url) = t.location else { return }
        let observer = try BehindTheStore.connect(url)
        try await waitUntil("both stores listen") {
            let listening = try observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'"
            ).first { $0.int64(0) }
            return (listening ?? 0) >= 2
        }
        // Listening, the counter moves only when a notification arrives.
        let before = try await other.changeCounter()
        try await t.enqueue()
        try await waitUntil("the other store heard the enqueue") { try await other.changeCounter() != before }
    }
}
