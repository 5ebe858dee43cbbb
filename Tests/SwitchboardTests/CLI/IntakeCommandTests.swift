import ChatStore
import Enqueuer
import Foundation
import Queue
import Testing

@Suite("intake, connect and link commands", .timeLimit(.minutes(3)))
struct IntakeCommandTests {
    private func lines(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test("intake --batch prints one JSON line per payload once committed")
    func intakeBatch() async throws {
        let directory = try TestDirectory()
        let message = try Fixture(.slack, "channel_message").data
        let input = [message, message, try Fixture(.slack, "bot_message").data]
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        let result = try await SwitchboardProcess.run(
            ["intake", "--provider", "slack", "--batch"], database: directory.databasePath, stdin: input
        )
        #expect(result.status == 0, "\(result.stderr)")
        let output = try lines(result.stdout)
        #expect(output.map { $0["status"] as? String } == ["enqueued", "duplicate", "ignored"])
        #expect(output[0]["job_id"] as? Int == output[1]["job_id"] as? Int)
        #expect((output[0]["dedupe_key"] as? String)?.hasPrefix("slack:") == true)
        #expect(!result.stdout.contains("summarise"), "no message text in the output")
    }

    @Test(
        "intake --batch, like enqueue --batch, checks every line first: each rejected one is named, nothing is written")
    func intakeBatchAllOrNothing() async throws {
        let directory = try TestDirectory()
        let store = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let message = String(decoding: try Fixture(.slack, "channel_message").data, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let input = [message, "", #"{"type":"#, message, #"{"type": "event_callback"}"#].joined(separator: "\n")
        let result = try await SwitchboardProcess.run(
            ["intake", "--provider", "slack", "--batch"], database: directory.databasePath, stdin: input
        )
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.contains("2 lines were refused, so nothing was written"), "\(result.stderr)")
        #expect(result.stderr.contains("\nline 3: slack: body is not valid JSON"), "\(result.stderr)")
        #expect(result.stderr.contains("\nline 5: slack: "), "\(result.stderr)")
        #expect(!result.stderr.contains("line 1:") && !result.stderr.contains("line 4:"), "\(result.stderr)")
        #expect(try await store.jobs().isEmpty, "nothing written")

        let enqueue = try await SwitchboardProcess.run(
            ["enqueue", "--batch", "--queue", "q"], database: directory.databasePath,
            stdin: [#"{"kind":"k"}"#, #"{"kind":"k","colour":1}"#, "", #"{"kind":"#].joined(separator: "\n"))
        #expect(enqueue.status == 65, "\(enqueue.stderr)")
        #expect(enqueue.stderr.contains("2 lines were refused, so nothing was written"), "\(enqueue.stderr)")
        #expect(enqueue.stderr.contains("\nline 2: \"colour\" is not a known field"), "\(enqueue.stderr)")
        #expect(enqueue.stderr.contains("\nline 4: not valid JSON at column 9"), "\(enqueue.stderr)")
        #expect(try await store.jobs().isEmpty, "nothing written")
    }

    @Test("intake answers a url_verification with its challenge")
    func verification() async throws {
        let directory = try TestDirectory()
        let result = try await SwitchboardProcess.run(
            [
                "intake", "--provider", "slack", "--file",
                Fixture.directory.appendingPathComponent("slack/url_verification.json").path,
            ],
            database: directory.databasePath
        )
        #expect(result.status == 0)
        #expect(
            try lines(result.stdout)[0]["challenge"] as? String
                == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    }

    @Test("an unknown provider is a usage error naming the flag")
    func unknownProvider() async throws {
        let result = try await SwitchboardProcess.run(["intake", "--provider", "icq"], stdin: "{}")
        #expect(result.status == 64)
        #expect(result.stderr.contains("--provider must be one of telegram"))
    }

    @Test("eight connect-code processes racing for one owner and provider get exactly five codes")
    func codeCapAcrossProcesses() async throws {
        let directory = try TestDirectory()
        _ = try await SwitchboardDatabase.open(.sqlite(path: directory.databasePath))
        let processes = try (0..<8).map { _ in
            try SwitchboardProcess.start(
                ["connect", "code", "--owner", "acct_1", "--provider", "slack", "--json"],
                database: directory.databasePath
            )
        }
        var statuses: [Int32] = []
        var refusals = 0
        for process in processes {
            let result = await process.finish()
            statuses.append(result.status)
            if result.stderr.contains("too many pending codes") && result.stderr.contains("429") { refusals += 1 }
        }
        #expect(statuses.filter { $0 == 0 }.count == 5)
        #expect(refusals == 3)
    }

    @Test("a link token is issued, confirmed once, listed, resolved and deleted only by its owner")
    func linkFlow() async throws {
        let directory = try TestDirectory()
        let db = directory.databasePath
        let issued = try await SwitchboardProcess.run(
            [
                "link", "token", "--type", "server", "--platform", "discord", "--server-id", "G1",
                "--link-base", "https://example.com/link/", "--json",
            ], database: db
        )
        #expect(issued.status == 0, "\(issued.stderr)")
        let token = try #require(try lines(issued.stdout)[0]["token"] as? String)
        #expect(try lines(issued.stdout)[0]["url"] as? String == "https://example.com/link/" + token)
        #expect(try await SwitchboardProcess.run(["link", "status", token], database: db).stdout == "pending\n")

        let confirmers = try ["acct_1", "acct_2"].map { account in
            try SwitchboardProcess.start(["link", "confirm", token, "--account", account], database: db)
        }
        let confirmed = await [confirmers[0].finish(), confirmers[1].finish()]
        #expect(confirmed.filter { $0.status == 0 }.count == 1)
        #expect(confirmed.contains { $0.status == 65 && $0.stderr.contains("410 expired_or_used") })
        let owner = confirmed[0].status == 0 ? "acct_1" : "acct_2"
        let other = owner == "acct_1" ? "acct_2" : "acct_1"

        let resolved = try await SwitchboardProcess.run(
            ["link", "resolve", "--platform", "discord", "--server-id", "G1", "--json"], database: db)
        #expect(try lines(resolved.stdout)[0]["account"] as? String == owner)
        let listed = try await SwitchboardProcess.run(["link", "list", "--account", owner, "--json"], database: db)
        let id = try #require(try lines(listed.stdout).first?["id"] as? Int)
        let refused = try await SwitchboardProcess.run(
            ["link", "delete", String(id), "--account", other], database: db)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("403 not_owner"))
        let injected = try await SwitchboardProcess.run(
            ["link", "delete", "1 OR 1=1", "--account", owner], database: db)
        #expect(injected.stderr.contains("404 not_found"))
        #expect(
            try await SwitchboardProcess.run(["link", "delete", String(id), "--account", owner], database: db).status
                == 0)
        let malformed = try await SwitchboardProcess.run(["link", "status", "../etc/passwd"], database: db)
        #expect(malformed.stderr.contains("422 malformed_token"))
    }
}
