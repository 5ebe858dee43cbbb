import Enqueuer
import Foundation
import JSON
import Testing

@testable import HTTPClient
@testable import Workers

/// Every provider's home has every part, each its own provider's: found through `Provider.inbound` and
/// `Provider.api`, read or called here, and a part a provider lacks (a webhook check, typing, a long poll)
/// stated with its reason.
@Suite("Every provider has every part")
struct ProviderPartsTests {
    static let target = ReplyTarget(chat: "C1", message: "M1", thread: "77", user: "U1", bot: "B1", context: "ctx")
    static let baseURL = "http://127.0.0.1:9"

    /// Every setting a provider takes, configured with a value of the right shape.
    static func settings(of provider: Provider) -> [String: String] {
        let names = provider.api.credentials + (provider.inbound.webhook.part?.secretNames ?? [])
        var settings = Dictionary(uniqueKeysWithValues: names.map { ($0, "configured-\($0)") })
        if settings["encoding_aes_key"] != nil {
            settings["encoding_aes_key"] = String(repeating: "a", count: 43)
        }
        return settings
    }

    @Test("the normaliser reads the provider's own payloads into the provider's events", arguments: Provider.allCases)
    func normaliser(provider: Provider) throws {
        #expect(provider.inbound.provider == provider)
        #expect(!provider.displayName.isEmpty)
        let events = try Fixture.all(provider).compactMap { fixture -> InboundEvent? in
            let fields = try JSONFields(root: JSONParser.parse(fixture.data))
            guard
                case .message(let event) = try provider.inbound.normaliser.normalise(
                    fields, receivedAt: Fixture.receivedAt)
            else { return nil }
            return event
        }
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { $0.provider == provider })
    }

    @Test(
        "a webhook check refuses what is not authentic and is routed, or the provider says why it has none",
        arguments: Provider.allCases)
    func webhook(provider: Provider) {
        let request = WebhookRequest(method: "POST", body: Data("{}".utf8))
        switch provider.inbound.webhook {
        case .present(let check):
            #expect(WebhookGate.providers.contains(provider))
            #expect(WebhookGate.accepts("POST", for: provider))
            #expect(check.check(request, secrets: WebhookSecrets([:]), now: Fixture.receivedAt) == .notConfigured)
            let configured = WebhookSecrets(Self.settings(of: provider))
            #expect(check.check(request, secrets: configured, now: Fixture.receivedAt) == .refuse)
        case .absent(let reason):
            #expect(!reason.isEmpty)
            #expect(!WebhookGate.providers.contains(provider))
            #expect(!WebhookGate.accepts("POST", for: provider))
        }
    }

    @Test(
        "settings: a production address, the credentials it sends with, every setting readable from the environment",
        arguments: Provider.allCases)
    func settings(provider: Provider) {
        let api = provider.api
        #expect(api.provider == provider)
        #expect(SettingRules.urlProblem(api.defaultBaseURL) == nil)
        #expect(ChatConfiguration().settings(for: provider).baseURL == api.defaultBaseURL)
        #expect(!api.credentials.isEmpty)
        for name in ["base_url"] + Self.settings(of: provider).keys {
            #expect(SwitchboardEnvironment.known.contains(SwitchboardEnvironment.providerSetting(provider, name)))
        }
    }

    @Test("a text limit and rate buckets of the provider's own", arguments: Provider.allCases)
    func limits(provider: Provider) {
        let api = provider.api
        #expect(api.textLimit.maximum > 0)
        let buckets = api.rateBuckets(chat: Self.target.chat)
        #expect(buckets.chat.key.hasPrefix(provider.rawValue + ":") && buckets.chat.key.hasSuffix(Self.target.chat))
        #expect(buckets.bot.map { $0.key.hasPrefix(provider.rawValue + ":") } ?? true)
        #expect(buckets.chat.interval > .zero && (buckets.bot?.interval ?? .seconds(1)) > .zero)
    }

    @Test("typing requests to the provider's API, or the reason it has none", arguments: Provider.allCases)
    func typing(provider: Provider) async throws {
        switch provider.api.typing {
        case .present(let typing):
            #expect(typing.shows(Self.target))
            let settings = ProviderSettings(baseURL: Self.baseURL, credentials: Self.settings(of: provider))
            let requests = try #require(
                await typing.requests(for: Self.target, settings: settings) { _ in
                    HTTPResponse(status: 200, headers: [:], body: Data(#"{"typing_ticket":"ticket"}"#.utf8))
                })
            #expect(requests.request.url.hasPrefix(Self.baseURL))
            #expect(requests.interval > .zero)
        case .absent(let reason):
            #expect(!reason.isEmpty)
        }
    }

    @Test(
        "a socket mode, or the reason it has none; every provider without one can still be received",
        arguments: Provider.allCases)
    func socketMode(provider: Provider) {
        switch provider.api.socketMode {
        case .present(let mode):
            var credentials = Self.settings(of: provider)
            for name in mode.settingNames where name != "intents" {
                credentials[name] =
                    switch name {
                    case "app_token": "xapp-1-A0PARTS-1-secret"
                    case "socket_url": "wss://socket.example"
                    default: "configured-\(name)"
                    }
            }
            let settings = ProviderSettings(baseURL: Self.baseURL, credentials: credentials)
            let socket = mode.init(settings: settings, http: HTTPClient(maxInFlight: 1))
            #expect(socket.provider == provider)
            #expect(socket.stream.hasPrefix(provider.rawValue + ":"))
            let secrets = credentials.filter { $0.key.contains("secret") || $0.key.contains("token") }.values
            #expect(!secrets.contains { socket.stream.contains($0) }, "the stream names no secret: \(socket.stream)")
            #expect(Set(mode.requiredSettings).isSubset(of: mode.settingNames))
        case .absent(let reason):
            #expect(!reason.isEmpty)
        }
    }

    @Test("a long poll of the provider's updates, or the reason it has none", arguments: Provider.allCases)
    func longPoll(provider: Provider) {
        switch provider.api.longPoll {
        case .present(let source):
            let settings = ProviderSettings(baseURL: Self.baseURL, credentials: Self.settings(of: provider))
            let updates = source.init(settings: settings, http: HTTPClient(maxInFlight: 1), timeout: .seconds(1))
            #expect(updates.provider == provider)
            #expect(updates.name.hasPrefix(provider.rawValue + ":"))
        case .absent(let reason):
            #expect(!reason.isEmpty)
        }
    }

    @Test("each provider sends through a client of its own")
    func clients() {
        let context = { (provider: Provider) in
            ClientContext(
                http: HTTPClient(maxInFlight: 1), settings: ChatConfiguration().settings(for: provider),
                redactor: SecretRedactor(secrets: []), connectTimeout: .seconds(1), requestTimeout: .seconds(1))
        }
        let clients = Provider.allCases.map { provider in "\(type(of: provider.api.client(context(provider))))" }
        #expect(Set(clients).count == Provider.allCases.count, "\(clients)")
    }
}
