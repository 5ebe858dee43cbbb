import Enqueuer
import Foundation
import JSON
import Queue

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
        /// Answers with the message itself, streamed a word at a time with `pause` before each: for
        /// trying live replies.
        case echoStream(pause: Duration = .milliseconds(150))
        /// `POST`s each turn to an HTTP endpoint that answers `{"reply": ...}`.
        case http(url: String, connectTimeout: Duration, timeout: Duration)

        /// How long an agent endpoint may take to connect, and to answer, unless configured otherwise.
        public static let defaultConnectTimeout = Duration.seconds(2)
        public static let defaultTimeout = Duration.seconds(30)

        /// An endpoint with the timeouts the configuration does not name left at their defaults.
        public static func endpoint(_ url: String, connectTimeout: Duration? = nil, timeout: Duration? = nil) -> Agent {
            .http(url: url, connectTimeout: connectTimeout ?? defaultConnectTimeout, timeout: timeout ?? defaultTimeout)
        }
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
    /// How many messages of each conversation the database keeps (older ones are pruned as new ones come).
    public var historyKept = 200
    /// The most characters of an agent's answer sent to a chat; the rest is cut, with a line saying so.
    public var maxAnswerCharacters = AnswerLimit.defaultMaximum
    /// What a turn fetches of the files its messages carry, and where it keeps them (`attachments`).
    public var attachments = AttachmentSettings()
    /// How long completed jobs are kept for inspection; nil deletes them when they complete.
    public var retainCompleted: Duration?
    /// The database every command given this file (`--config`) uses when neither `--db` nor
    /// `$SWITCHBOARD_DB` names one: a SQLite path or a `postgres://` URL.
    public var database: String?
    /// A file holding the password of a PostgreSQL `database` (`database_password_file`), so that it is in
    /// no URL and on no command line.
    public var databasePasswordFile: String?
    /// A direct connection to a PostgreSQL `database` reached through a connection pooler, used only to
    /// `LISTEN` for new work (`database_listen`).
    public var databaseListen: String?
    /// The database password in each form it may be written (`StoreLocation.passwordForms`), set by whoever
    /// opens the database: the redactor masks it, and commands are not given it.
    public var databasePasswords: [String] = []
    /// The token an operator signs in to `serve`'s dashboard with (`dashboard.token`, or
    /// `$SWITCHBOARD_DASHBOARD_TOKEN`); nil leaves the dashboard read-only.
    public var dashboardToken: String?
    /// Let anyone who reaches the dashboard read it without signing in, though a token is configured
    /// (`dashboard.public_read`); changing anything still needs a session.
    public var dashboardPublicRead = false
    /// Mark the dashboard's session cookie `Secure` on every request (`dashboard.secure_cookie`), not only
    /// on those a trusted proxy says came over HTTPS.
    public var dashboardSecureCookie = false
    /// The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` `serve` believes
    /// (`trusted_proxies`, numeric addresses): loopback unless configured, `[]` for none.
    public var trustedProxies = ["127.0.0.1", "::1"]
    /// The bearer token `switchboard serve` requires on `POST /intake/{provider}` (`intake.token`, or
    /// `$SWITCHBOARD_INTAKE_TOKEN`); nil refuses those routes.
    public var intakeToken: String?
    /// How `serve`'s API checks the tokens of signed-in users (`api.jwt`); nil refuses every user route.
    public var userTokens: UserTokenSettings?
    /// The Telegram bot's username, for the connect links the API hands out (`https://t.me/BOT?start=CODE`;
    /// `api.telegram_bot_username`).
    public var telegramBotUsername: String?
    /// How long a provider request may take to connect, and in all.
    public var connectTimeout: Duration = .seconds(5)
    public var requestTimeout: Duration = .seconds(30)
    public var providers: [Provider: ProviderSettings] = [:]

    public init() {}

    /// Every credential configured, for masking in logs and errors.
    public var secrets: [String] {
        providers.flatMap { provider, settings in
            let open = Set(provider.api.socketMode.part?.publicSettings ?? [])
            return settings.credentials.filter { !open.contains($0.key) }.values
        }
            + [
                intakeToken, dashboardToken, userTokens?.secret, attachments.links?.secret,
                attachments.s3?.secretAccessKey,
            ].compactMap { $0 }
    }

    /// The redactor for every log line and stored error of a worker with this configuration.
    public var redactor: SecretRedactor {
        SecretRedactor(secrets: secrets, passwords: databasePasswords)
    }

    /// Variables through which libpq or Switchboard reach the database's password.
    static let databaseCredentialVariables: Set = [
        "PGPASSWORD", "PGPASSFILE", SwitchboardEnvironment.databasePasswordFile,
    ]

    /// `environment` without Switchboard's credentials, for the commands a worker runs (`--exec`): no
    /// `SWITCHBOARD_<PROVIDER>_...` setting, no variable whose value holds a configured credential or the
    /// database password, and no database credentials: `SWITCHBOARD_DB` and `SWITCHBOARD_DB_LISTEN` only
    /// when their URLs hold no password, no `PGPASSWORD`, `PGPASSFILE` or `SWITCHBOARD_DB_PASSWORD_FILE`.
    public func commandEnvironment(from environment: [String: String]) -> [String: String] {
        let prefixes = Provider.allCases.map(SwitchboardEnvironment.providerPrefix)
        // A password shorter than the redactor's minimum would match half the environment (PATH included).
        let secrets = self.secrets.filter { !$0.isEmpty } + databasePasswords.filter { $0.count >= 6 }
        return environment.filter { name, value in
            !prefixes.contains(where: name.hasPrefix) && !secrets.contains(where: value.contains)
                && !Self.databaseCredentialVariables.contains(name)
                && !([SwitchboardEnvironment.database, SwitchboardEnvironment.databaseListen].contains(name)
                    && !StoreLocation(value).passwordForms.isEmpty)
        }
    }

    /// The settings for a provider: configured, or its production API with no credentials.
    public func settings(for provider: Provider) -> ProviderSettings {
        providers[provider] ?? ProviderSettings(baseURL: provider.api.defaultBaseURL)
    }

    /// Reads a configuration file, if given, then applies the environment, and checks the result.
    ///
    /// The file is read strictly: a key it does not know, or a value of the wrong type, is refused with
    /// the key's path, so a misspelt setting never silently falls back to its default. Every value must
    /// be one that can work (`SettingRules`), and every provider configured must have the credentials
    /// it sends with. `config check`, `work`, `serve` and `poll` all read it here, so they refuse a file
    /// alike.
    /// - Throws: `ConfigurationError` naming the file and the key, or the environment variable.
    public static func load(file: String?, environment: [String: String]) throws(ConfigurationError)
        -> ChatConfiguration
    {
        var configuration = ChatConfiguration()
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError(.unreadable, "cannot read the configuration file \(file)")
            }
            do {
                try configuration.apply(JSONFields(root: JSONParser.parse(data)))
            } catch {
                throw ConfigurationError(.invalid, "\(file): \(error)")
            }
        }
        try configuration.apply(environment: environment)
        for provider in Provider.allCases {
            guard let settings = configuration.providers[provider] else { continue }
            for name in provider.api.missingCredentials(settings) {
                throw ConfigurationError(
                    .invalid,
                    (file.map { "\($0): " } ?? "") + "providers.\(provider.rawValue).\(name) is missing: "
                        + "\(provider.rawValue) cannot send without it (give it in the file, or as "
                        + "\(SwitchboardEnvironment.providerSetting(provider, name)))")
            }
        }
        return configuration
    }

    /// The settings `SWITCHBOARD_*` variables give, over the file's; an empty variable counts as unset.
    private mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        func value(_ name: String, _ rule: (String) -> String?) throws(ConfigurationError) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            if let problem = rule(value) {
                throw ConfigurationError(.invalid, "\(name) \(problem)")
            }
            return value
        }
        intakeToken = try value(SwitchboardEnvironment.intakeToken, SettingRules.tokenProblem) ?? intakeToken
        dashboardToken = try value(SwitchboardEnvironment.dashboardToken, SettingRules.tokenProblem) ?? dashboardToken
        if let secret = try value(SwitchboardEnvironment.apiJWTSecret, SettingRules.tokenProblem) {
            userTokens = userTokens ?? UserTokenSettings()
            userTokens?.secret = secret
        }
        for provider in Provider.allCases {
            var settings = self.settings(for: provider)
            if let baseURL = try value(
                SwitchboardEnvironment.providerSetting(provider, "base_url"), SettingRules.urlProblem)
            {
                settings = ProviderSettings(baseURL: baseURL, credentials: settings.credentials)
            }
            for name in SwitchboardEnvironment.settings(of: provider) where name != "base_url" {
                let variable = SwitchboardEnvironment.providerSetting(provider, name)
                if let credential = try value(variable, { SettingRules.credentialProblem(provider, name, $0) }) {
                    settings.credentials[name] = credential
                }
            }
            if !settings.credentials.isEmpty || settings.baseURL != provider.api.defaultBaseURL {
                providers[provider] = settings
            }
        }
    }

    /// The top-level keys of the configuration file.
    static let keys = [
        "database", "database_password_file", "database_listen", "intake", "dashboard", "api", "agent", "links",
        "outbound",
        "local_replies",
        "pacing", "history_limit", "history_keep", "trusted_proxies", "max_answer_characters",
        "retain_completed",
        "connect_timeout", "request_timeout", "providers", "attachments",
    ]

    private mutating func apply(_ fields: JSONFields) throws(JSONFieldError) {
        try fields.allowOnly(Self.keys, noun: "setting")
        switch fields.value("agent") {
        case nil, .string("echo")?:
            agent = .echo
        case .string("echo-stream")?:
            agent = .echoStream()
        case .object?:
            let agentFields = try fields.object("agent")
            try agentFields.allowOnly(["url", "connect_timeout", "timeout"], noun: "setting")
            guard let url = try agentFields.checked("url", SettingRules.urlProblem) else {
                throw agentFields.error("url", "is missing")
            }
            agent = .endpoint(
                url,
                connectTimeout: try agentFields.seconds("connect_timeout"),
                timeout: try agentFields.seconds("timeout")
            )
        default:
            throw fields.error("agent", "must be \"echo\", \"echo-stream\" or an object with a \"url\"")
        }
        if fields.has("links") {
            let linkFields = try fields.object("links")
            try linkFields.allowOnly(["mode", "link_base_url", "default_owner"], noun: "setting")
            switch try linkFields.optionalString("mode") ?? "required" {
            case "required":
                links = .required(linkBaseURL: try linkFields.checked("link_base_url", SettingRules.urlProblem))
            case "open": links = .open(defaultOwner: try linkFields.string("default_owner"))
            default: throw linkFields.error("mode", "must be \"required\" or \"open\"")
            }
        }
        switch try fields.optionalString("outbound") ?? "providers" {
        case "providers": outbound = .providers
        case "local":
            outbound = .local(path: try fields.optionalString("local_replies").flatMap { $0 == "-" ? nil : $0 })
        default: throw fields.error("outbound", "must be \"providers\" or \"local\"")
        }
        pacing = try fields.optionalBool("pacing") ?? pacing
        historyLimit = try fields.count("history_limit", in: 0...10_000) ?? historyLimit
        historyKept = try fields.count("history_keep", in: 1...1_000_000) ?? historyKept
        maxAnswerCharacters = try fields.count("max_answer_characters", in: 1...1_000_000) ?? maxAnswerCharacters
        database = try fields.optionalString("database") ?? database
        databasePasswordFile = try fields.optionalString("database_password_file") ?? databasePasswordFile
        databaseListen = try fields.optionalString("database_listen") ?? databaseListen
        if fields.has("intake") {
            let intake = try fields.object("intake")
            try intake.allowOnly(["token"], noun: "setting")
            intakeToken = try intake.checked("token", SettingRules.tokenProblem) ?? intakeToken
        }
        if fields.has("dashboard") {
            let dashboard = try fields.object("dashboard")
            try dashboard.allowOnly(["token", "public_read", "secure_cookie"], noun: "setting")
            dashboardToken = try dashboard.checked("token", SettingRules.tokenProblem) ?? dashboardToken
            dashboardPublicRead = try dashboard.optionalBool("public_read") ?? dashboardPublicRead
            dashboardSecureCookie = try dashboard.optionalBool("secure_cookie") ?? dashboardSecureCookie
        }
        if fields.has("api") {
            try applyAPI(try fields.object("api"))
        }
        if fields.has("attachments") {
            let settings = try fields.object("attachments")
            try settings.allowOnly(
                [
                    "directory", "max_file_bytes", "max_files", "max_turn_bytes", "inline_bytes", "retain", "url_base",
                    "url_secret", "url_lifetime", "s3", "answer_hosts",
                ], noun: "setting")
            if let hosts = try settings.optionalArray("answer_hosts") {
                attachments.answerHosts = try hosts.indices.map { index throws(JSONFieldError) in
                    let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
                    guard let host = hosts[index].stringValue?.lowercased(), !host.isEmpty, !host.hasPrefix("."),
                        host.allSatisfy(allowed.contains)
                    else {
                        throw settings.error(
                            "answer_hosts[\(index)]", "must be a host name, without scheme, port or wildcard")
                    }
                    return host.lowercased()
                }
            }
            if let directory = try settings.optionalString("directory") {
                // Pruning deletes old files in it: an empty path would mean wherever the process started.
                guard !directory.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw settings.error("directory", "is empty: name the directory the files are kept in")
                }
                attachments.directory = directory
            }
            attachments.maxFileBytes =
                try settings.count("max_file_bytes", in: 1...(100 << 20)) ?? attachments.maxFileBytes
            attachments.maxFiles = try settings.count("max_files", in: 0...100) ?? attachments.maxFiles
            attachments.maxTurnBytes =
                try settings.count("max_turn_bytes", in: 1...(1 << 30)) ?? attachments.maxTurnBytes
            attachments.inlineBytes = try settings.count("inline_bytes", in: 0...(16 << 20)) ?? attachments.inlineBytes
            attachments.retention =
                try settings.count("retain", in: 3600...315_360_000).map { .seconds($0) } ?? attachments.retention
            let base = try settings.checked("url_base") { value in
                SettingRules.urlProblem(value)
                    ?? (value.contains("?") || value.contains("#")
                        ? "must be an address without a query or fragment" : nil)
            }
            let secret = try settings.checked("url_secret", SettingRules.tokenProblem)
            let lifetime = try settings.count("url_lifetime", in: 60...604_800) ?? 3600
            if settings.has("s3") {
                var s3 = try ObjectStorageSettings(try settings.object("s3"))
                s3.linkLifetime = .seconds(lifetime)
                // One place for the files: a directory beside object storage would hold a part of them.
                if settings.has("directory") {
                    throw settings.error("directory", "is not used with s3: the files are kept in the bucket")
                }
                // The agent's links are the object store's own, presigned; serve does not answer for them.
                if base != nil || secret != nil {
                    throw settings.error(
                        base != nil ? "url_base" : "url_secret", "is not used with s3: links are presigned by the store"
                    )
                }
                guard attachments.retention >= .seconds(lifetime) else {
                    throw settings.error("retain", "is shorter than url_lifetime: a link would outlive its file")
                }
                attachments.s3 = s3
            }
            switch (base, secret) {
            case (let base?, let secret?):
                guard attachments.retention >= .seconds(lifetime) else {
                    throw settings.error("retain", "is shorter than url_lifetime: a link would outlive its file")
                }
                attachments.links = AttachmentLinks(baseURL: base, secret: secret, lifetime: .seconds(lifetime))
            case (nil, nil): break
            case (nil, _?): throw settings.error("url_base", "is missing: links need serve's address and a secret")
            case (_?, nil): throw settings.error("url_secret", "is missing: links need serve's address and a secret")
            }
        }
        if let proxies = try fields.optionalArray("trusted_proxies") {
            trustedProxies = try proxies.indices.map { index throws(JSONFieldError) in
                guard let address = proxies[index].stringValue, Self.isNumericAddress(address) else {
                    throw fields.error("trusted_proxies[\(index)]", "must be a numeric IPv4 or IPv6 address")
                }
                return address
            }
        }
        retainCompleted =
            try fields.count("retain_completed", in: 1...315_360_000).map { .seconds($0) } ?? retainCompleted
        connectTimeout = try fields.seconds("connect_timeout") ?? connectTimeout
        requestTimeout = try fields.seconds("request_timeout") ?? requestTimeout
        if fields.has("providers") {
            let providerFields = try fields.object("providers")
            try providerFields.allowOnly(Provider.allCases.map(\.rawValue), noun: "provider")
            for member in providerFields.object.members {
                let provider = Provider(rawValue: member.key)!
                let settings = try providerFields.object(member.key)
                let names = ProviderSettings.secretNames(of: provider)
                let aliases = provider.api.credentialAliases
                try settings.allowOnly(["base_url"] + names + aliases.keys.sorted(), noun: "setting")
                var credentials: [String: String] = [:]
                for name in names {
                    credentials[name] = try settings.checked(name) {
                        SettingRules.credentialProblem(provider, name, $0)
                    }
                }
                for (alias, name) in aliases.sorted(by: { $0.key < $1.key }) {
                    guard
                        let value = try settings.checked(alias, { SettingRules.credentialProblem(provider, name, $0) })
                    else { continue }
                    if let other = credentials[name], other != value {
                        throw settings.error(alias, "is another name for \(name), which is set to a different value")
                    }
                    credentials[name] = value
                }
                providers[provider] = ProviderSettings(
                    baseURL: try settings.checked("base_url", SettingRules.urlProblem)
                        ?? provider.api.defaultBaseURL,
                    credentials: credentials
                )
            }
        }
    }
}

extension ChatConfiguration {
    /// Whether `text` is an IPv4 or IPv6 address in numbers (no name, no port, no brackets).
    fileprivate static func isNumericAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

extension ChatConfiguration {
    /// The `api` object: how users' tokens are checked, and Telegram's bot username.
    fileprivate mutating func applyAPI(_ api: JSONFields) throws(JSONFieldError) {
        try api.allowOnly(["jwt", "telegram_bot_username"], noun: "setting")
        telegramBotUsername =
            try api.checked("telegram_bot_username", SettingRules.botUsernameProblem) ?? telegramBotUsername
        guard api.has("jwt") else { return }
        let jwt = try api.object("jwt")
        try jwt.allowOnly(UserTokenSettings.keys, noun: "setting")
        var settings = UserTokenSettings()
        settings.secret = try jwt.checked("secret", SettingRules.tokenProblem)
        settings.publicKeyFile = try jwt.optionalString("public_key_file")
        settings.jwksFile = try jwt.optionalString("jwks_file")
        settings.jwksURL = try jwt.checked("jwks_url", SettingRules.keySetURLProblem)
        settings.issuer = try jwt.optionalString("issuer")
        settings.audience = try jwt.optionalString("audience")
        settings.accountClaim =
            try jwt.checked("account_claim") { $0.isEmpty ? "must name a claim" : nil } ?? settings.accountClaim
        settings.leeway = try jwt.count("leeway_seconds", in: 0...3600).map { .seconds($0) } ?? settings.leeway
        guard settings.hasKeys else {
            throw jwt.error(nil, "needs at least one of secret, public_key_file, jwks_file, jwks_url")
        }
        // A public key may sign tokens for other applications too (an identity provider's do): only the
        // audience tells which are this one's, and only the issuer which provider's key set is meant.
        if settings.hasPublicKeys, settings.audience == nil {
            throw jwt.error("audience", "is needed with public keys, or tokens issued to other applications pass")
        }
        if settings.jwksURL != nil, settings.issuer == nil {
            throw jwt.error("issuer", "is needed with jwks_url: the identity provider's own name for itself")
        }
        userTokens = settings
    }
}

extension JSONFields {
    /// A string that `rule` finds nothing wrong with; nil when absent.
    fileprivate func checked(_ key: String, _ rule: (String) -> String?) throws(JSONFieldError) -> String? {
        guard let value = try optionalString(key) else { return nil }
        if let problem = rule(value) {
            throw error(key, problem)
        }
        return value
    }

    /// A whole number within `range`.
    fileprivate func count(_ key: String, in range: ClosedRange<Int>) throws(JSONFieldError) -> Int? {
        guard let value = try optionalNumber(key) else { return nil }
        guard value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
            throw error(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(value)
    }

    /// A number of seconds, more than 0 and at most a day.
    fileprivate func seconds(_ key: String) throws(JSONFieldError) -> Duration? {
        guard let value = try optionalNumber(key) else { return nil }
        guard value > 0, value <= 86_400 else {
            throw error(key, "must be a number of seconds, more than 0 and at most 86400")
        }
        return .providerSeconds(value)
    }
}
