import ChatStore
import Foundation
import Queue

/// A fresh directory per test, holding that test's own database file.
struct TestDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    var databasePath: String { path("queue.db") }
}

/// The backends the queue's conformance tests run against: every store test takes one as its argument,
/// so each backend runs the same suite unchanged.
enum TestBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres
    /// PostgreSQL reached through a transaction-mode PgBouncer (`TestPgBouncer`).
    case pgbouncer

    /// SQLite always; PostgreSQL where its tests run (see `TestPostgres.enabled`).
    static var all: [TestBackend] { TestPostgres.enabled ? [.sqlite, .postgres] : [.sqlite] }

    /// `all`, and PostgreSQL through PgBouncer where it is installed: the store's conformance suites,
    /// which between them run every shape of statement the store sends.
    static var conformance: [TestBackend] { all + (TestPgBouncer.enabled ? [.pgbouncer] : []) }

    var description: String { self == .pgbouncer ? "postgres through pgbouncer" : rawValue }

    /// A new, empty database for one test: a file in `directory` for SQLite, a database of its own on the
    /// run's server for PostgreSQL, reached through the run's PgBouncer for `.pgbouncer`.
    func newDatabase(in directory: TestDirectory) async throws -> StoreLocation {
        switch self {
        case .sqlite: .sqlite(path: directory.databasePath)
        case .postgres: try await TestPostgres.newDatabase()
        case .pgbouncer: try await TestPgBouncer.newDatabase().pooled
        }
    }
}

/// A store of its own with a manual clock, as most store tests want (on PostgreSQL too: the store then
/// judges time by that clock, not the server's).
struct TestStore {
    let backend: TestBackend
    let directory: TestDirectory
    let location: StoreLocation
    let clock: ManualClock
    let store: JobStore

    /// The chat tables beside the store's queue.
    var chat: ChatStore {
        get throws { try ChatStore(store) }
    }

    init(_ backend: TestBackend = .sqlite, configure: (inout StoreOptions) -> Void = { _ in }) async throws {
        self.backend = backend
        directory = try TestDirectory()
        clock = ManualClock()
        var options = StoreOptions()
        options.clock = clock
        options.usesServerClock = false
        options.durability = .normal
        configure(&options)
        location = try await backend.newDatabase(in: directory)
        store = try await SwitchboardDatabase.open(location, options: options)
    }

    /// Opens a second store on the same database, as another process would.
    func reopen(configure: (inout StoreOptions) -> Void = { _ in }) async throws -> JobStore {
        var options = StoreOptions()
        options.clock = clock
        options.usesServerClock = false
        configure(&options)
        return try await SwitchboardDatabase.open(location, options: options)
    }

    func claim(_ limit: Int = 1, queue: String = "q", lease: Duration = .seconds(30), worker: String = "w1")
        async throws -> [ClaimedJob]
    {
        try await store.claim(queues: [queue], limit: limit, leaseDuration: lease, workerID: worker)
    }

    @discardableResult
    func enqueue(
        _ kind: String = "k", queue: String = "q", group: String? = nil, priority: Int = 0,
        dedupe: DedupeKey? = nil, maxAttempts: Int? = nil, runAt: RunAt = .now
    ) async throws -> EnqueueResult {
        try await store.enqueue(
            NewJob(
                queue: queue, kind: kind, payload: Data("{\"kind\":\"\(kind)\"}".utf8), priority: priority,
                runAt: runAt, maxAttempts: maxAttempts, groupKey: group, dedupe: dedupe)
        )
    }
}

/// The result of an async call that may throw, for tests that race calls and count the outcomes.
func outcome<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}

extension Array {
    /// The failures among racing outcomes, as the error type a test expects.
    func failures<T, E: Error>(as type: E.Type) -> [E] where Element == Result<T, any Error> {
        compactMap { if case .failure(let error) = $0 { error as? E } else { nil } }
    }
}

extension NewJob {
    /// The job with a conversation message attached, as intake attaches a user's message to its turn.
    func attaching(_ message: ConversationMessage) -> NewJob {
        var job = self
        job.attachments.append(message)
        return job
    }
}
