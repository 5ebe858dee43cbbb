import Foundation
import Queue

/// What another program does to a test's database behind the store's back, on either backend: the one
/// way tests reach a database without the store.
enum BehindTheStore {
    /// Runs SQL on the database (on PostgreSQL, in the `switchboard` namespace).
    static func run(_ sql: String, on location: StoreLocation) throws {
        switch location {
        case .sqlite(let path): try RawSQLite.run(sql, at: path)
        case .postgres(let url): try connect(url).executeScript(sql)
        }
    }

    /// The value of an aggregate query (`SELECT count(*) ...`) as an integer, NULL read as 0.
    static func integer(_ sql: String, on location: StoreLocation) throws -> Int64? {
        switch location {
        case .sqlite(let path): try RawSQLite.integer(sql, at: path)
        case .postgres(let url): try connect(url).execute(sql).first { $0.int64(0) }
        }
    }

    /// Whether any row of `table` holds `text` anywhere in it (in any column, as text or as bytes).
    static func contains(_ text: String, table: String, on location: StoreLocation) throws -> Bool {
        switch location {
        case .sqlite(let path):
            let bytes =
                try Data(contentsOf: URL(fileURLWithPath: path))
                + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
            return bytes.range(of: Data(text.utf8)) != nil
        case .postgres(let url):
            return try connect(url).execute(
                "SELECT EXISTS (SELECT 1 FROM \(table) AS t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0)",
                [.text(text), .text(Data(text.utf8).map { String(format: "%02x", $0) }.joined())]
            ).first { $0.bool(0) } ?? false
        }
    }

    /// Holds what the store's writers of the chat tables need, as a writer in another process would, until
    /// released: SQLite's write turnstile, or on PostgreSQL an EXCLUSIVE lock on the chat tables.
    static func holdChatWrites(on location: StoreLocation) throws -> HeldWrites {
        switch location {
        case .sqlite(let path):
            return HeldWrites(sqlite: try WriterLock(databasePath: path), path: path)
        case .postgres(let url):
            let holder = try connect(url)
            try holder.executeScript("BEGIN; LOCK TABLE connect_codes, link_tokens IN EXCLUSIVE MODE")
            return HeldWrites(postgres: holder, observer: try connect(url))
        }
    }

    static func connect(_ url: String) throws -> PGConnection {
        let connection = try PGConnection(url: TestPgBouncer.direct(url))
        try connection.execute("SET search_path TO switchboard")
        return connection
    }
}

/// Writes held back by a test; see `BehindTheStore.holdChatWrites`.
final class HeldWrites: @unchecked Sendable {
    // @unchecked Sendable: used from one test at a time, its connections one call at a time.
    private var sqlite: WriterLock?
    private var path = ""
    private var postgres: PGConnection?
    private var observer: PGConnection?

    init(sqlite: WriterLock, path: String) {
        self.sqlite = sqlite
        self.path = path
    }

    init(postgres: PGConnection, observer: PGConnection) {
        self.postgres = postgres
        self.observer = observer
    }

    /// True while some writer waits for what is held.
    var hasWaiter: Bool {
        if sqlite != nil {
            return WriterLock.hasWaiter(path)
        }
        let waiting = try? observer?.execute(
            """
            SELECT count(*) FROM pg_locks
            WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        ).first { $0.int64(0) }
        return waiting.flatMap { $0 }.map { $0 > 0 } ?? false
    }

    func release() {
        sqlite?.release()
        _ = try? postgres?.execute("ROLLBACK")
    }
}
