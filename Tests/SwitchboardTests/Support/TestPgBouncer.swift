import Foundation
import Harness
import Queue
import Synchronization

/// A PgBouncer this test run starts in front of its PostgreSQL server (`TestPostgres`), in transaction
/// mode, as most fleets reach a shared database: listening only on a Unix socket in a temporary directory,
/// as the `postgres` user when the tests run as root (PgBouncer refuses to run as root), stopped when the
/// test process exits. Every database of the server is reachable through it under its own name, each with
/// a pool of its own.
enum TestPgBouncer {
    /// The server connections PgBouncer keeps per database: a test that holds this many client
    /// transactions open at once has been handed every one of them.
    static let poolSize = 8

    /// Where Debian's package installs it.
    static let program = "/usr/sbin/pgbouncer"

    /// Whether the tests through PgBouncer run: always in CI (`CI=true`), where a pooler that cannot start
    /// fails them; elsewhere only where PostgreSQL's tests run and PgBouncer is installed.
    static let enabled: Bool = {
        guard TestPostgres.enabled else { return false }
        if ProcessInfo.processInfo.environment["CI"] == "true" || FileManager.default.isExecutableFile(atPath: program)
        {
            return true
        }
        FileHandle.standardError.write(
            Data("PgBouncer tests skipped: no \(program) (apt-get install pgbouncer)\n".utf8))
        return false
    }()

    /// A new, empty database, reached `direct`ly on the server's socket and `pooled` through PgBouncer.
    static func newDatabase() async throws -> (direct: StoreLocation, pooled: StoreLocation) {
        let direct = try await TestPostgres.newDatabase()
        let bouncer = try await shared.value
        guard case .postgres(let url) = direct, let name = URLComponents(string: url)?.path.dropFirst() else {
            throw HarnessFailure("the test server's database URL \(direct) has no database name")
        }
        let pooled = bouncer.url(database: String(name))
        directURLs.withLock { $0[pooled] = url }
        return (direct, .postgres(url: pooled))
    }

    /// The direct URL of a database `newDatabase` gave a pooled URL for; any other URL as it is. What a
    /// test does behind the store's back (`BehindTheStore`) goes to the server directly, as its session
    /// settings would otherwise stay on the pooler's server connections.
    static func direct(_ url: String) -> String {
        directURLs.withLock { $0[url] } ?? url
    }

    private static let directURLs = Mutex<[String: String]>([:])

    /// The pooler, started by the first test that needs it.
    private static let shared = Task { () throws -> Bouncer in
        let bouncer = try await Bouncer.start(server: try await TestPostgres.serverDirectory())
        stopCommand = bouncer.directory
        atexit {
            guard let directory = TestPgBouncer.stopCommand else { return }
            Bouncer.stopAtOnce(directory: directory)
        }
        return bouncer
    }

    /// The pooler's directory (its socket, configuration, log and pid file), for stopping it at exit.
    nonisolated(unsafe) private static var stopCommand: String?

    struct Bouncer: Sendable {
        /// Where its socket, configuration, log and pid file are.
        let directory: String
        static let port = 6432

        func url(database: String) -> String {
            "postgresql:///\(database)?host=\(directory)&port=\(Self.port)&user=switchboard"
        }

        /// Writes the configuration, starts PgBouncer as a daemon, and waits until it answers.
        static func start(server: String) async throws -> Bouncer {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("switchboard-pgbouncer-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // `auth_type = any` logs every client in as the user the database line names: the test server
            // trusts local connections, as TestPostgres sets it up.
            let configuration = """
                [databases]
                * = host=\(server) port=5432 user=switchboard

                [pgbouncer]
                listen_addr =
                listen_port = \(port)
                unix_socket_dir = \(directory)
                auth_type = any
                pool_mode = transaction
                default_pool_size = \(poolSize)
                max_client_conn = 2000
                max_db_connections = \(poolSize)
                logfile = \(directory)/pgbouncer.log
                pidfile = \(directory)/pgbouncer.pid
                """
            try configuration.write(toFile: "\(directory)/pgbouncer.ini", atomically: true, encoding: .utf8)
            if getuid() == 0 {
                guard let account = getpwnam("postgres") else {
                    throw HarnessFailure("running as root, and there is no postgres user to run PgBouncer as")
                }
                chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
                chown("\(directory)/pgbouncer.ini", account.pointee.pw_uid, account.pointee.pw_gid)
            }
            try await TestPostgres.Server.run(program, ["-d", "-q", "\(directory)/pgbouncer.ini"])
            let bouncer = Bouncer(directory: directory)
            // Daemonised, it may not have opened its socket yet: wait until a client gets an answer.
            let deadline = ContinuousClock.now + .seconds(20)
            while true {
                do {
                    _ = try PGConnection(url: bouncer.url(database: "postgres")).execute("SELECT 1")
                    return bouncer
                } catch {
                    guard ContinuousClock.now < deadline else {
                        let log = (try? String(contentsOfFile: "\(directory)/pgbouncer.log", encoding: .utf8)) ?? ""
                        throw HarnessFailure(
                            "PgBouncer did not answer within 20 s: \(error); its log: \(log.suffix(600))")
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }

        /// Stops a pooler at once and removes its directory, where no task can be awaited (at exit):
        /// system(3), on paths this run made itself.
        static func stopAtOnce(directory: String) {
            _ = system("kill -9 $(cat \(directory)/pgbouncer.pid) >/dev/null 2>&1")
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
