import Foundation
import Harness

/// A PostgreSQL server of one test's own, for what the run's shared server (`TestPostgres`) cannot do:
/// ask for a password (scram-sha-256, the role `switchboard` given `password`), and be started only when
/// the test says, after a worker that waits for it. It listens on a Unix socket in a new temporary
/// directory, and is stopped and removed when the value is released.
final class PrivatePostgres: Sendable {
    let directory: String
    let password: String?

    /// Makes the server's data directory (`initdb`) without starting it.
    /// - Parameter password: the password `switchboard` signs in with; nil trusts every local connection.
    init(password: String?) async throws {
        guard let bin = TestPostgres.binDirectory else {
            throw HarnessFailure("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
        }
        self.password = password
        directory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0, let account = getpwnam("postgres") {
            chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
        }
        var arguments = ["-D", "\(directory)/data", "-U", "switchboard", "-E", "UTF8", "--locale=C", "--no-sync"]
        if let password {
            let file = "\(directory)/initial-password"
            try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: file))
            if getuid() == 0, let account = getpwnam("postgres") {
                chown(file, account.pointee.pw_uid, account.pointee.pw_gid)
            }
            arguments += ["-A", "scram-sha-256", "--pwfile=\(file)"]
        } else {
            arguments += ["-A", "trust"]
        }
        try await TestPostgres.Server.run("\(bin)/initdb", arguments)
    }

    /// The server's programs directory; present, since `init` found it.
    private var bin: String { TestPostgres.binDirectory ?? "" }

    /// Starts the server and returns once it accepts connections.
    func start() async throws {
        let options = "-c listen_addresses='' -c unix_socket_directories='\(directory)'"
        try await TestPostgres.Server.run(
            "\(bin)/pg_ctl", ["-D", "\(directory)/data", "-l", "\(directory)/log", "-o", options, "-w", "start"])
    }

    /// A URL for `database` on this server as `switchboard`, with `password` in it when given.
    func url(database: String = "postgres", password: String? = nil) -> String {
        let encoded = password.map {
            "&password=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        return "postgresql:///\(database)?host=\(directory)&user=switchboard" + (encoded ?? "")
    }

    deinit {
        // No task can be awaited here: system(3), on paths this test made itself.
        let runner = TestPostgres.runner(for: "\(bin)/pg_ctl")
        let words = [runner.executable] + runner.prefix + ["-D", "\(directory)/data", "-m", "immediate", "stop"]
        _ = system(words.joined(separator: " ") + " >/dev/null 2>&1")
        try? FileManager.default.removeItem(atPath: directory)
    }
}
