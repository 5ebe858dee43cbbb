import Enqueuer
import Foundation

/// How chat jobs are worked: the agent, the linking policy, where replies go, and each provider's
/// API address and credentials.
///
/// Read from a JSON file (see `ops/switchboard.example.json`), then from the environment: every
/// provider setting can be given as `SWITCHBOARD_<PROVIDER>_<SETTING>` (`SWITCHBOARD_TELEGRAM_BOT_TOKEN`,
/// `SWITCHBOARD_SLACK_BASE_URL`), which wins over the file.
public struct ChatConfiguration: Sendable {
    public enum Agent: Sendable, Equatable {
        /// Answers with the message itself: for trying Switchboard without an agent.
        case echo
        /// `POST`s each turn to an HTTP endpoint that answers `{"reply": ...}`.
        case http(url: String, connectTimeout: Duration, timeout: Duration)
    }

    public enum Links: Sendable, Equatable {
        /// Answer only chats linked to an account; tell the others how to link. With a base URL, the
        /// answer carries a link-token URL (base + token); without one, the connect-code instruction.
        case required(linkBaseURL: String?)
        /// Route every chat to one owner (local use).
        case open(defaultOwner: String)
    }

    public enum Outbound: Sendable, Equatable {
        /// Send through each provider's API.
        case providers
        /// Write replies as JSON lines to a file, or stdout when nil.
        case local(path: String?)
    }

    public var agent: Agent = .echo
    public var links: Links = .required(linkBaseURL: nil)
    public var outbound: Outbound = .providers
    /// Pace sends to the providers' documented limits. Off only to benchmark against a fake provider.
    public var pacing = true
    /// How many earlier messages of the conversation the agent is given.
    public var historyLimit = 20
    /// How long a provider request may take to connect, and in all.
    public var connectTimeout: Duration = .seconds(5)
    public var requestTimeout: Duration = .seconds(30)
    public var providers: [Provider: ProviderSettings] = [:]

    public init() {}

    /// Every credential configured, for masking in logs and errors.
    public var secrets: [String] {
        providers.values.flatMap { $0.credentials.values }
    }

    /// The redactor for every log line and stored error of a worker with this configuration.
    public var redactor: SecretRedactor {
        SecretRedactor(secrets: secrets)
    }

    /// `environment` without Switchboard's credentials, for the commands a worker runs (`--exec`): no
    /// `SWITCHBOARD_<PROVIDER>_...` setting, and no variable whose value holds a configured credential.
    public func commandEnvironment(from environment: [String: String]) -> [String: String] {
        let prefixes = Provider.allCases.map { "SWITCHBOARD_\($0.rawValue.uppercased())_" }
        let secrets = self.secrets.filter { !$0.isEmpty }
        return environment.filter { name, value in
            !prefixes.contains(where: name.hasPrefix) && !secrets.contains(where: value.contains)
        }
    }

    /// The settings for a provider: configured, or its production API with no credentials.
    public func settings(for provider: Provider) -> ProviderSettings {
        providers[provider] ?? ProviderSettings(baseURL: ProviderSettings.defaultBaseURL(provider))
    }

    /// Reads a configuration file, if given, then applies the environment.
    /// - Throws: `ConfigurationError` naming the file and field.
    public static func load(file: String?, environment: [String: String]) throws -> ChatConfiguration {
        var configuration = ChatConfiguration()
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError("cannot read the configuration file \(file)")
            }
            guard case .object(let root) = (try? JSONParser.parse(data)) ?? .null else {
                throw ConfigurationError("\(file) is not a JSON object")
            }
            try configuration.apply(ConfigurationFields(object: root, path: file))
        }
        for provider in Provider.allCases {
            var settings = configuration.settings(for: provider)
            let prefix = "SWITCHBOARD_\(provider.rawValue.uppercased())_"
            for (name, value) in environment where name.hasPrefix(prefix) && !value.isEmpty {
                let key = name.dropFirst(prefix.count).lowercased()
                if key == "base_url" {
                    settings = ProviderSettings(baseURL: value, credentials: settings.credentials)
                } else {
                    settings.credentials[key] = value
                }
            }
            if !settings.credentials.isEmpty || settings.baseURL != ProviderSettings.defaultBaseURL(provider) {
                configuration.providers[provider] = settings
            }
        }
        return configuration
    }

    private mutating func apply(_ fields: ConfigurationFields) throws {
        switch fields.object["agent"] {
        case nil, .string("echo")?:
            agent = .echo
        case .object(let object)?:
            let agentFields = fields.nested(object, "agent")
            agent = .http(
                url: try agentFields.string("url"),
                connectTimeout: .providerSeconds(try agentFields.number("connect_timeout") ?? 2),
                timeout: .providerSeconds(try agentFields.number("timeout") ?? 30)
            )
        default:
            throw fields.error("agent", "must be \"echo\" or an object with a \"url\"")
        }
        if case .object(let object)? = fields.object["links"] {
            let linkFields = fields.nested(object, "links")
            switch try linkFields.optionalString("mode") ?? "required" {
            case "required": links = .required(linkBaseURL: try linkFields.optionalString("link_base_url"))
            case "open": links = .open(defaultOwner: try linkFields.string("default_owner"))
            default: throw linkFields.error("mode", "must be \"required\" or \"open\"")
            }
        }
        switch try fields.optionalString("outbound") ?? "providers" {
        case "providers": outbound = .providers
        case "local": outbound = .local(path: try fields.optionalString("local_replies").flatMap { $0 == "-" ? nil : $0 })
        default: throw fields.error("outbound", "must be \"providers\" or \"local\"")
        }
        if let pacing = fields.object["pacing"] {
            guard case .bool(let flag) = pacing else { throw fields.error("pacing", "must be true or false") }
            self.pacing = flag
        }
        if let limit = try fields.number("history_limit") {
            historyLimit = Int(limit)
        }
        if let seconds = try fields.number("connect_timeout") {
            connectTimeout = .providerSeconds(seconds)
        }
        if let seconds = try fields.number("request_timeout") {
            requestTimeout = .providerSeconds(seconds)
        }
        if case .object(let object)? = fields.object["providers"] {
            for member in object.members {
                guard let provider = Provider(rawValue: member.key), case .object(let values) = member.value else {
                    throw fields.error("providers.\(member.key)", "is not a known provider with an object of settings")
                }
                let providerFields = fields.nested(values, "providers.\(member.key)")
                var credentials: [String: String] = [:]
                for setting in values.members where setting.key != "base_url" {
                    credentials[setting.key] = try providerFields.string(setting.key)
                }
                providers[provider] = ProviderSettings(
                    baseURL: try providerFields.optionalString("base_url") ?? ProviderSettings.defaultBaseURL(provider),
                    credentials: credentials
                )
            }
        }
    }
}

/// A configuration that cannot be used, naming the file and field.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A JSON object of the configuration file, read with errors naming the field.
private struct ConfigurationFields {
    let object: JSONObject
    let path: String
    var prefix = ""

    func nested(_ object: JSONObject, _ key: String) -> ConfigurationFields {
        ConfigurationFields(object: object, path: path, prefix: prefix + key + ".")
    }

    func error(_ key: String, _ problem: String) -> ConfigurationError {
        ConfigurationError("\(path): \(prefix)\(key) \(problem)")
    }

    func optionalString(_ key: String) throws -> String? {
        switch object[key] {
        case nil: return nil
        case .string(let value)?: return value
        default: throw error(key, "must be a string")
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = try optionalString(key), !value.isEmpty else { throw error(key, "is missing") }
        return value
    }

    func number(_ key: String) throws -> Double? {
        switch object[key] {
        case nil: return nil
        case .integer(let value)?: return Double(value)
        case .double(let value)?: return value
        default: throw error(key, "must be a number")
        }
    }
}
