import Foundation
import Harness
import Queue

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
        try await shared.value.newDatabase()
    }

    /// The directory of the run's server's socket, for a pooler in front of it (`TestPgBouncer`).
    static func serverDirectory() async throws -> String {
        try await shared.value.directory
    }

    /// The server, started by the first test that needs it.
    private static let shared = Task {
        let server = try await Server.create()
        try await server.start()
        stopCommand = (server.bin, server.directory)
        atexit {
            // At exit no task can be awaited: system(3), on paths this run made itself.
            guard let (bin, directory) = TestPostgres.stopCommand else { return }
            Server.stopAtOnce(bin: bin, directory: directory)
        }
        return server
    }

    struct Server: Sendable {
        let bin: String
        /// Where the server's socket (and, unless told otherwise, its data and log) are.
        let directory: String
        let dataDirectory: String
        /// Settings beyond the listening socket, as `-c` options.
        var settings = ""

        func url(database: String) -> String {
            "postgresql:///\(database)?host=\(directory)&user=switchboard"
        }

        /// Runs `initdb` into a new temporary directory, or into `dataDirectory` when given (a directory
        /// that is empty or does not exist yet, on a filesystem the test chose; the WAL then comes in 1 MB
        /// segments instead of 16, so that a small filesystem holds the server). The server is not started.
        static func create(dataDirectory: String? = nil, settings: String = "") async throws -> Server {
            guard let bin = binDirectory else {
                throw HarnessFailure("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
            }
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("switchboard-postgres-\(UUID().uuidString.prefix(8))").path
            let data = dataDirectory ?? "\(directory)/data"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            if getuid() == 0 {
                guard let account = getpwnam("postgres") else {
                    throw HarnessFailure("running as root, and there is no postgres user to run PostgreSQL as")
                }
                chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
                chown(data, account.pointee.pw_uid, account.pointee.pw_gid)
            }
            try await run(
                "\(bin)/initdb",
                [
                    "-D", data, "-U", "switchboard", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
                ] + (dataDirectory == nil ? [] : ["--wal-segsize=1"]))
            return Server(bin: bin, directory: directory, dataDirectory: data, settings: settings)
        }

        /// Starts the server and waits until it accepts connections.
        func start() async throws {
            let options =
                "-c listen_addresses='' -c unix_socket_directories='\(directory)' -c max_connections=1000 \(settings)"
            try await Self.run(
                "\(bin)/pg_ctl", ["-D", dataDirectory, "-l", "\(directory)/log", "-o", options, "-w", "start"])
        }

        /// Stops the server (`-m fast`: sessions are ended, as when an operator stops it; `immediately`:
        /// `-m immediate`, as a crash would, with recovery at the next start) and waits until it has.
        func stop(immediately: Bool = false) async throws {
            try await Self.run(
                "\(bin)/pg_ctl", ["-D", dataDirectory, "-m", immediately ? "immediate" : "fast", "-w", "stop"])
        }

        /// Where databases are created, one at a time: PostgreSQL runs one `CREATE DATABASE` at a time
        /// anyway (each copies its template), and dozens waiting at once on Dispatch's shared threads used
        /// them all up, stalling everything else that runs there (a store's statements among it) for tens
        /// of seconds, until in-process leases lapsed.
        private static let creating = DispatchQueue(label: "test-postgres-create-database")

        /// A new, empty database on this server.
        func newDatabase() async throws -> StoreLocation {
            let name = "t_" + UUID().uuidString.replacing("-", with: "").lowercased()
            let admin = url(database: "postgres")
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                Self.creating.async {
                    continuation.resume(
                        with: Result {
                            let connection = try PGConnection(url: admin)
                            try connection.execute("CREATE DATABASE \(name)")
                        })
                }
            }
            return .postgres(url: url(database: name))
        }

        /// Stops a server at once and removes its directory, where no task can be awaited (at exit, in a
        /// `deinit`): system(3), on paths this run made itself.
        static func stopAtOnce(bin: String, directory: String, dataDirectory: String? = nil) {
            let runner = TestPostgres.runner(for: "\(bin)/pg_ctl")
            let words =
                [runner.executable] + runner.prefix
                + ["-D", dataDirectory ?? "\(directory)/data", "-m", "immediate", "stop"]
            _ = system(words.joined(separator: " ") + " >/dev/null 2>&1")
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// Runs a PostgreSQL program to its end, as the `postgres` user when this process is root.
        static func run(_ program: String, _ arguments: [String]) async throws {
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

    /// A server of one test's own, which it may stop and start again: the run's shared server must keep
    /// running for every other test. Stopped at once, and its directory removed, when released.
    final class OwnServer: Sendable {
        let server: Server
        /// Where its data is, when a test chose: held, so it is unmounted only after the server stopped.
        let filesystem: ScratchFilesystem?

        /// Creates and starts a server, its data on `filesystem` when given, with `settings` (`-c` options).
        init(on filesystem: ScratchFilesystem? = nil, settings: String = "") async throws {
            server = try await Server.create(dataDirectory: filesystem.map { $0.path + "/data" }, settings: settings)
            self.filesystem = filesystem
            try await server.start()
        }

        deinit {
            Server.stopAtOnce(bin: server.bin, directory: server.directory, dataDirectory: server.dataDirectory)
        }
    }

    /// The server's directory and programs, once started, for stopping it at exit.
    nonisolated(unsafe) static var stopCommand: (bin: String, directory: String)?

    /// How to start `program`: itself, or through `runuser -u postgres --` when this process is root.
    static func runner(for program: String) -> (executable: String, prefix: [String]) {
        getuid() == 0 ? ("/usr/sbin/runuser", ["-u", "postgres", "--", program]) : (program, [])
    }
}
