import Enqueuer
import Foundation
import Workers

/// A `switchboard fake-provider` process on loopback, for one test.
final class FakeProvider: Sendable {
    let process: SwitchboardProcess
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() async throws {
        process = try SwitchboardProcess(["fake-provider"])
        let line = await process.readStdoutLines().first ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let port = object["port"] as? Int else {
            throw WaitTimeout(what: "the fake provider printed its port (it printed \(line))")
        }
        self.port = port
    }

    func stop() {
        process.signal(SIGKILL)
    }

    /// Scripts faults, given as a JSON array of rules: each answers `times` requests whose path contains
    /// `path`, instead of the provider's normal answer.
    func script(_ rules: String) async throws {
        _ = try await call("POST", "/_fake/script", body: Data(rules.utf8))
    }

    /// Every request received so far, oldest first.
    func requests() async throws -> [[String: Any]] {
        let data = try await call("GET", "/_fake/requests", body: nil)
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }

    /// One client for every test's calls: its threads live as long as the test process.
    private static let client = HTTPClient(threads: 2)

    private func call(_ method: String, _ path: String, body: Data?) async throws -> Data {
        let request = HTTPRequest(method == "GET" ? .get : .post, baseURL + path, body: body)
        return try await Self.client.send(request).body
    }

    /// A configuration sending every provider to this server, with these credentials.
    func configuration(pacing: Bool = false, requestTimeout: Duration = .seconds(5)) -> ChatConfiguration {
        var configuration = ChatConfiguration()
        configuration.links = .open(defaultOwner: "acct_test_owner")
        configuration.pacing = pacing
        configuration.requestTimeout = requestTimeout
        for provider in Provider.allCases {
            var credentials = Self.credentials[provider] ?? [:]
            credentials["base_url"] = nil
            configuration.providers[provider] = ProviderSettings(baseURL: baseURL, credentials: credentials)
        }
        return configuration
    }

    static let credentials: [Provider: [String: String]] = [
        .telegram: ["bot_token": "123456:SECRET-telegram-token"],
        .slack: ["bot_token": "xoxb-SECRET-slack-token"],
        .discord: ["bot_token": "SECRET.discord.token"],
        .feishu: ["app_id": "cli_test_app", "app_secret": "SECRET-feishu-secret"],
        .dingtalk: ["app_key": "dingtestkey", "app_secret": "SECRET-dingtalk-secret"],
        .wecom: ["corp_id": "corp_test", "corp_secret": "SECRET-wecom-secret", "agent_id": "1000002"],
        .wechat: ["bot_token": "SECRET-wechat-token"],
    ]
}
