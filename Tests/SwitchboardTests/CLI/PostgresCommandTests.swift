import Foundation
import Queue
import Testing

/// The command line on PostgreSQL: the same commands, chosen by `--db postgres://...` or `$SWITCHBOARD_DB`,
/// with the URL's password masked wherever the database is named.
@Suite("Commands on PostgreSQL", .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"))
struct PostgresCommandTests {
    /// The test database's URL with a password in it (the server trusts local connections, so any password
    /// is accepted, and none may ever be printed).
    private func databaseWithPassword() async throws -> String {
        guard case .postgres(let url) = try await TestPostgres.newDatabase() else { return "" }
        return url.replacing("postgresql:///", with: "postgresql://switchboard:pa55-word@/")
    }

    @Test("enqueue, work, stats, jobs, dlq, connect, link and migrate work on a postgres:// database")
    func everyCommand() async throws {
        let url = try await databaseWithPassword()
        let environment = ["SWITCHBOARD_DB": url]
        func run(_ arguments: [String], stdin: String = "") async throws -> String {
            let result = try await SwitchboardProcess.run(arguments, stdin: stdin, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("pa55-word"), "\(arguments) printed the password")
            return result.stdout
        }
        _ = try await run(["enqueue", "--queue", "q", "--kind", "ok", "--payload", "{}"])
        _ = try await run(["enqueue", "--queue", "q", "--kind", "bad", "--payload", "{}"])
        _ = try await run([
            "work", "--queue", "q", "--drain", "--verbose", "--exec", #"[ "$SWITCHBOARD_KIND" = ok ] || exit 65"#,
        ])
        #expect(try await run(["dlq", "list"]).contains("bad"))
        _ = try await run(["dlq", "redrive", "--all"])
        #expect(try await run(["jobs", "list", "--state", "ready"]).contains("bad"))
        #expect(try await run(["stats"]).contains("ready"))
        let code = try await run(["connect", "code", "--owner", "acct_1", "--provider", "slack", "--json"])
        #expect(code.contains("\"code\""))
        let token = try await run(["link", "token", "--type", "server", "--platform", "slack", "--server-id", "T1"])
        let tokenText = try #require(token.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        _ = try await run(["link", "confirm", tokenText, "--account", "acct_1"])
        #expect(try await run(["link", "resolve", "--platform", "slack", "--server-id", "T1"]).contains("acct_1"))
        let migrated = try await run(["migrate"])
        #expect(migrated.contains("postgresql://switchboard:***@/"), "\(migrated)")
    }

    @Test("the demo runs on a PostgreSQL database without a Switchboard schema, and refuses one that has one")
    func demo() async throws {
        let url = try await databaseWithPassword()
        let first = try await SwitchboardProcess.run(["demo", "--db", url, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains(#""telegram_owner":"acct_demo""#), "\(first.stdout)")
        #expect(!(first.stdout + first.stderr).contains("pa55-word"))
        let second = try await SwitchboardProcess.run(["demo", "--db", url])
        #expect(second.status == 73)
        #expect(second.stderr.contains("already holds a Switchboard database"), "\(second.stderr)")
        #expect(!second.stderr.contains("pa55-word"))
    }

    @Test("a server that cannot be reached exits 75, naming the database without its password")
    func unreachable() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            ["stats", "--db", "postgresql://ada:pa55-word@/nowhere?host=\(directory.url.path)"])
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("postgresql://ada:***@/nowhere"), "\(result.stderr)")
        #expect(!result.stderr.contains("pa55-word"))
    }
}
