import Enqueuer
import Foundation
import Harness
import Workers

/// Each test's fake provider: a `switchboard fake-provider` process on loopback.
typealias FakeProvider = FakeProviderProcess

extension FakeProviderProcess {
    /// Starts one from the executable built beside the tests.
    convenience init() async throws {
        try await self.init(executable: SwitchboardProcess.executable)
    }

    /// Every request received so far, oldest first, read with Foundation's parser: the tests check the
    /// project's JSON against a reader that is not its own.
    func requests() async throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: try await recordedRequests()) as? [[String: Any]] ?? []
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
