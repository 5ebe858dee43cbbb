import Foundation
import Harness
import Queue
import Synchronization

/// The PostgreSQL server this test run starts for itself: `initdb` into a new temporary directory and
/// `pg_ctl start` listening only on a Unix socket there (as the `postgres` user through `runuser` when the
/// tests run as root, since PostgreSQL refuses to run as root), stopped when the test process exits. Each
/// test gets a database of its own on it.
enum TestPostgres {
    /// Whether the PostgreSQL tests run: always in CI (`CI=true`), where a server that cannot start fails
    /// them; elsewhere only when the server's programs are installed, else they are skipped, said once.
    static let enabled: Bool = {
        if ProcessInfo.processInfo.environment["CI"] == "true" || binDirectory != nil {
            return true
        }
        FileHandle.standardError.write(
            Data(
                "PostgreSQL tests skipped: no initdb and pg_ctl found through pg_config --bindir (apt-get install postgresql)\n"
                    .utf8))
        return false
    }()

    /// Where `initdb` and `pg_ctl` are.
    static let binDirectory: String? = {
        // Read synchronously (this runs while the test list is being built): popen, not a child wrapper.
        guard let pipe = popen("pg_config --bindir 2>/dev/null", "r") else { return nil }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = fread(&buffer, 1, buffer.count, pipe)
            if count <= 0 { break }
            output.append(contentsOf: buffer[..<count])
        }
        pclose(pipe)
        let directory = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let found = ["initdb", "pg_ctl"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)")
        }
        return found ? directory : nil
    }()

    /// A new, empty database on the run's server, as a connection URL. The blocking libpq calls run off
    /// the cooperative pool: dozens of tests create databases at once when a run starts, and each
    /// `CREATE DATABASE` waiting on a pool thread would stall every other test's tasks (an in-process
    /// worker then misses its heartbeats).
    static func newDatabase() async throws -> StoreLocation {
        let server = try await shared.value
        let name = "t_" + UUID().uuidString.replacing("-", with: "").lowercased()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let admin = try PGConnection(url: server.url(database: "postgres"))
                        try admin.execute("CREATE DATABASE \(name)")
                    })
            }
        }
        return .postgres(url: server.url(database: name))
    }

    /// The server, started by the first test that needs it.
    private static let shared = Task { try await Server.start() }

    struct Server: Sendable {
        let directory: String
        /// Settings beyond the listening socket, as `-c` options.
        var settings = ""

        func url(database: String) -> String {
            "postgresql:///\(database)?host=\(directory)&user=switchboard"
        }

        static func start() async throws -> Server {
            try await create()
        }

        /// A new server in a new temporary directory, started with `settings`, and stopped when the test
        /// process exits.
        static func create(settings: String = "") async throws -> Server {
            let bin = try TestPostgres.binDirectoryOrFail()
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("switchboard-postgres-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if getuid() == 0 {
                guard let account = getpwnam("postgres") else {
                    throw HarnessFailure("running as root, and there is no postgres user to run PostgreSQL as")
                }
                chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
            }
            try await run(
                "\(bin)/initdb",
                [
                    "-D", "\(directory)/data", "-U", "switchboard", "-A", "trust", "-E", "UTF8", "--locale=C",
                    "--no-sync",
                ])
            let server = Server(directory: directory, settings: settings)
            try await server.pgctl("start")
            TestPostgres.stopAtExit(bin: bin, directory: directory)
            return server
        }

        /// `pg_ctl start` (listening only on the directory's socket), or `pg_ctl stop` in `mode` (`immediate`:
        /// at once, as a crash would, with recovery at the next start), waiting until it is done.
        func pgctl(_ action: String, mode: String = "fast") async throws {
            let options =
                "-c listen_addresses='' -c unix_socket_directories='\(directory)' -c max_connections=1000 \(settings)"
            let arguments =
                action == "start"
                ? ["-D", "\(directory)/data", "-l", "\(directory)/log", "-o", options, "-w", "start"]
                : ["-D", "\(directory)/data", "-m", mode, "-w", action]
            try await Self.run("\(try TestPostgres.binDirectoryOrFail())/pg_ctl", arguments)
        }

        /// Runs a PostgreSQL program to its end, as the `postgres` user when this process is root.
        private static func run(_ program: String, _ arguments: [String]) async throws {
            let runner = runner(for: program)
            let child = try SwitchboardChild(
                executable: runner.executable, arguments: runner.prefix + arguments, errorOutput: .capture)
            let finished = await child.finish()
            guard finished.status == 0 else {
                throw HarnessFailure(
                    "\((program as NSString).lastPathComponent) exited \(finished.status): \(finished.stderr.suffix(600))"
                )
            }
        }
    }

    static func binDirectoryOrFail() throws -> String {
        guard let bin = binDirectory else {
            throw HarnessFailure("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
        }
        return bin
    }

    /// The servers' directories and programs, once started, for stopping them at exit.
    private static let started = Mutex<[(bin: String, directory: String)]>([])

    private static func stopAtExit(bin: String, directory: String) {
        let first = started.withLock { servers in
            servers.append((bin, directory))
            return servers.count == 1
        }
        guard first else { return }
        atexit {
            // At exit no task can be awaited: system(3), on paths this run made itself.
            for (bin, directory) in TestPostgres.started.withLock({ $0 }) {
                let runner = TestPostgres.runner(for: "\(bin)/pg_ctl")
                let words =
                    [runner.executable] + runner.prefix + ["-D", "\(directory)/data", "-m", "immediate", "stop"]
                _ = system(words.joined(separator: " ") + " >/dev/null 2>&1")
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
    }

    /// How to start `program`: itself, or through `runuser -u postgres --` when this process is root.
    static func runner(for program: String) -> (executable: String, prefix: [String]) {
        getuid() == 0 ? ("/usr/sbin/runuser", ["-u", "postgres", "--", program]) : (program, [])
    }
}

/// A PostgreSQL server of a test's own, which the test stops and starts again to make the database
/// unreachable (the shared server must stay up for every other test). Stopped for good by `close()`.
final class StoppablePostgres: Sendable {
    private let server: TestPostgres.Server

    private init(server: TestPostgres.Server) {
        self.server = server
    }

    /// A new server. It does not sync to disk: a crash of it loses nothing a test needs, and its
    /// recovery at the next start takes a moment, not the seconds of syncing every database's files.
    static func start() async throws -> StoppablePostgres {
        StoppablePostgres(server: try await TestPostgres.Server.create(settings: "-c fsync=off"))
    }

    /// A new, empty database on this server; the blocking libpq calls run off the cooperative pool, as
    /// `TestPostgres.newDatabase`'s do.
    func newDatabase() async throws -> StoreLocation {
        let name = "t_" + UUID().uuidString.replacing("-", with: "").lowercased()
        let admin = server.url(database: "postgres")
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try PGConnection(url: admin).execute("CREATE DATABASE \(name)") })
            }
        }
        return .postgres(url: server.url(database: name))
    }

    /// Stops the server at once, as a crash would: every connection breaks, nothing is waited for.
    func stop() async throws {
        try await server.pgctl("stop", mode: "immediate")
    }

    func restart() async throws {
        try await server.pgctl("start")
    }

    /// Stops the server for good (else it is stopped when the test process exits).
    func close() async {
        try? await server.pgctl("stop")
    }
}
