import Enqueuer
import Foundation
import Queue

/// How a send went, in the terms the job layer acts on.
public enum SendOutcome: Sendable, Equatable {
    case delivered
    /// The provider asked to wait: snooze for `after` (no attempt spent) and hold `bucket` meanwhile.
    case slowDown(after: Duration, bucket: String)
    /// A failure that may pass (5xx, timeout, dropped connection): retry with backoff.
    case retry(String)
    /// A failure that cannot succeed on retry (401/403, revoked token, unknown chat, invalid request):
    /// dead-letter at once, so the bot does not keep sending invalid requests.
    case reject(String)
}

/// Sends one outbound message to one provider.
public protocol ProviderClient: Sendable {
    func send(_ message: OutboundMessage) async -> SendOutcome
}

/// A provider client over HTTP: `deliver` throws a `SendFailure` when no answer could be had (transport,
/// token), and `send` turns it into the outcome, so each client reads only its provider's answers.
protocol HTTPProviderClient: ProviderClient {
    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome
}

extension HTTPProviderClient {
    func send(_ message: OutboundMessage) async -> SendOutcome {
        do {
            return try await deliver(message)
        } catch {
            return error.outcome
        }
    }
}

/// A provider's API address and credentials, from the configuration file or the environment.
public struct ProviderSettings: Sendable {
    public var baseURL: String
    public var credentials: [String: String]

    public init(baseURL: String, credentials: [String: String] = [:]) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
    }

    /// Each provider's production API.
    public static func defaultBaseURL(_ provider: Provider) -> String {
        switch provider {
        case .telegram: "https://api.telegram.org"
        case .slack: "https://slack.com"
        case .discord: "https://discord.com"
        case .feishu: "https://open.feishu.cn"
        case .dingtalk: "https://api.dingtalk.com"
        case .wecom: "https://qyapi.weixin.qq.com"
        case .wechat: "https://ilinkai.weixin.qq.com"
        }
    }

    /// The credential names each provider needs.
    public static func requiredCredentials(_ provider: Provider) -> [String] {
        switch provider {
        case .telegram, .slack, .discord, .wechat: ["bot_token"]
        case .feishu: ["app_id", "app_secret"]
        case .dingtalk: ["app_key", "app_secret"]
        case .wecom: ["corp_id", "corp_secret", "agent_id"]
        }
    }

    func credential(_ name: String) -> String {
        credentials[name] ?? ""
    }
}

/// What the clients share: the HTTP client, and the redactor every error message passes through.
struct ClientContext: Sendable {
    let http: HTTPClient
    let settings: ProviderSettings
    let redactor: SecretRedactor
    let connectTimeout: Duration
    let requestTimeout: Duration

    /// Sends with the configured timeouts and Switchboard's User-Agent (unless the client set its own); a
    /// transport failure is a retry, with a redacted reason.
    func send(_ request: HTTPRequest) async throws(SendFailure) -> HTTPResponse {
        var request = request
        request.connectTimeout = connectTimeout
        request.totalTimeout = requestTimeout
        if !request.headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            request.headers.append(("User-Agent", "Switchboard/\(SwitchboardVersion.current)"))
        }
        do {
            return try await http.send(request)
        } catch {
            throw SendFailure(outcome: .retry(redactor.redact("transport: \(error)")))
        }
    }

    /// The provider's access token from `cache`, fetched with `fetch` when needed; failing to get one
    /// is a retry.
    func token(_ cache: AccessTokenCache, fetch: @escaping @Sendable () async throws -> (String, Duration)) async throws(SendFailure)
        -> String
    {
        do {
            return try await cache.token(fetch: fetch)
        } catch {
            throw SendFailure(outcome: .retry(redactor.redact("\(settings.baseURL) token: \(error)")))
        }
    }

    /// The outcome for a status that says nothing more specific: 429 slow down, 5xx retry, other 4xx reject.
    func byStatus(_ response: HTTPResponse, to message: OutboundMessage, bucket: String, provider: String) -> SendOutcome {
        switch response.status {
        case 200..<300: .delivered
        case 429: .slowDown(after: response.retryAfter ?? .seconds(1), bucket: bucket)
        case 500...: .retry("\(provider) answered HTTP \(response.status)")
        default:
            .reject(
                "\(provider) answered HTTP \(response.status): "
                    + describe(String(decoding: response.body, as: UTF8.self), answering: message)
            )
        }
    }

    /// Text from a provider's answer to `message`, fit for a job's error and a log line: credentials masked
    /// and the message's own text taken out (a provider may echo what it was sent) while the text is
    /// whole, and only then cut to `limit` characters, so a cut cannot leave part of a secret behind.
    func describe(_ text: String, answering message: OutboundMessage, limit: Int = 200) -> String {
        var cleaned = redactor.redact(text)
        for echo in OutgoingText.forms(of: message.text) where cleaned.contains(echo) {
            cleaned = cleaned.replacing(echo, with: OutgoingText.placeholder)
        }
        return cleaned.count > limit ? cleaned.prefix(limit) + "…" : cleaned
    }

    /// The response body as a JSON object, if it is one.
    static func object(_ body: Data) -> JSONObject? {
        if case .object(let object)? = try? JSONParser.parse(body) { object } else { nil }
    }
}

/// A send that ended before an answer could be classified.
struct SendFailure: Error {
    let outcome: SendOutcome
}

extension JSONObject {
    func string(_ key: String) -> String? {
        if case .string(let value)? = self[key] { value } else { nil }
    }

    func integer(_ key: String) -> Int64? {
        if case .integer(let value)? = self[key] { value } else { nil }
    }

    func number(_ key: String) -> Double? {
        switch self[key] {
        case .integer(let value)?: Double(value)
        case .double(let value)?: value
        default: nil
        }
    }

    func object(_ key: String) -> JSONObject? {
        if case .object(let value)? = self[key] { value } else { nil }
    }
}

extension Duration {
    /// A duration from seconds as a provider sends them (possibly fractional), rounded up to milliseconds.
    static func providerSeconds(_ seconds: Double) -> Duration {
        .milliseconds(Int64((max(seconds, 0) * 1000).rounded(.up)))
    }
}
