import ChatStore
import Foundation
import Queue
import Testing

/// Every command finds its database the same way (`--db`, `$SWITCHBOARD_DB`, the `--config` file's
/// `database`, `./switchboard.db`), and one that makes a new file nobody named says where.
@Suite("Finding the database", .timeLimit(.minutes(3)))
struct DatabaseLookupTests {
    /// A configuration file in `directory` naming `database`.
    private func configuration(in directory: TestDirectory, database: String) throws -> String {
        let file = directory.path("switchboard.json")
        try Data(#"{"database": "\#(database)"}"#.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    @Test("the --config file's database is the one enqueue, stats, jobs, dlq and work use")
    func configurationDatabase() async throws {
        let directory = try TestDirectory()
        let database = directory.path("configured.db")
        let config = try configuration(in: directory, database: database)
        func run(_ arguments: [String]) async throws -> String {
            let result = try await SwitchboardProcess.run(arguments + ["--config", config], directory: directory.url)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result.stdout
        }
        _ = try await run(["enqueue", "--queue", "q", "--kind", "ok", "--payload", "{}"])
        _ = try await run(["enqueue", "--queue", "q", "--kind", "bad", "--payload", "{}", "--max-attempts", "1"])
        #expect(!FileManager.default.fileExists(atPath: directory.path("switchboard.db")))
        let store = try await SwitchboardDatabase.open(.sqlite(path: database), options: readOnly)
        #expect(try await store.jobs().count == 2, "enqueue wrote where the configuration says")
        #expect(try await run(["stats"]).contains("q "))
        #expect(try await run(["jobs", "list"]).contains("bad"))
        _ = try await run(["work", "--queue", "q", "--drain", "--exec", #"[ "$SWITCHBOARD_KIND" = ok ] || exit 65"#])
        #expect(try await run(["dlq", "list"]).contains("bad"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("switchboard.db")))
    }

    @Test("--db wins over $SWITCHBOARD_DB, which wins over the configuration")
    func precedence() async throws {
        let directory = try TestDirectory()
        let config = try configuration(in: directory, database: directory.path("configured.db"))
        let enqueue = ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}", "--config", config]
        let environment = ["SWITCHBOARD_DB": directory.path("environment.db")]
        let flag = try await SwitchboardProcess.run(
            enqueue + ["--db", directory.path("flag.db")], environment: environment, directory: directory.url)
        #expect(flag.status == 0, "\(flag.stderr)")
        let fromEnvironment = try await SwitchboardProcess.run(
            enqueue, environment: environment, directory: directory.url)
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        for name in ["flag.db", "environment.db"] {
            let store = try await SwitchboardDatabase.open(.sqlite(path: directory.path(name)), options: readOnly)
            #expect(try await store.jobs().count == 1, "\(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("configured.db")))
    }

    @Test("a command that creates ./switchboard.db because nothing named a database says so, once")
    func implicitDefaultAnnounced() async throws {
        let directory = try TestDirectory()
        let enqueue = ["enqueue", "--queue", "q", "--kind", "k", "--payload", "{}"]
        let first = try await SwitchboardProcess.run(enqueue, directory: directory.url)
        #expect(first.status == 0, "\(first.stderr)")
        let created = directory.url.appendingPathComponent("switchboard.db").standardizedFileURL.path
        let lines = first.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("created a new database at \(created)"), "\(first.stderr)")
        let second = try await SwitchboardProcess.run(enqueue, directory: directory.url)
        #expect(second.status == 0)
        #expect(second.stderr.isEmpty, "an existing database is not announced: \(second.stderr)")
        let named = try await SwitchboardProcess.run(enqueue + ["--db", "named.db"], directory: directory.url)
        #expect(named.status == 0)
        #expect(named.stderr.isEmpty, "a database the command named is not announced: \(named.stderr)")
        let missing = try await SwitchboardProcess.run(["stats"], directory: try TestDirectory().url)
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("no --db, $SWITCHBOARD_DB or"), "\(missing.stderr)")
    }

    @Test("migrate creates a new SQLite file, saying where")
    func migrateCreates() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(["migrate", "--db", "new.db"], directory: directory.url)
        #expect(result.status == 0, "\(result.stderr)")
        let path = directory.url.appendingPathComponent("new.db").standardizedFileURL.path
        #expect(result.stderr.contains("created a new database at \(path)"), "\(result.stderr)")
        let store = try await SwitchboardDatabase.open(.sqlite(path: path), options: readOnly)
        #expect(try await store.schemaVersion() > 0)
        let again = try await SwitchboardProcess.run(["migrate", "--db", "new.db"], directory: directory.url)
        #expect(again.status == 0)
        #expect(!again.stderr.contains("created"), "\(again.stderr)")
    }

    private var readOnly: StoreOptions {
        var options = StoreOptions()
        options.access = .readOnly
        return options
    }
}
