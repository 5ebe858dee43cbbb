import Enqueuer

/// Every `SWITCHBOARD_*` environment variable Switchboard reads or sets, named in this one place.
///
/// A variable Switchboard does not read is easy to set by mistake (a provider setting misspelt by one
/// letter) and would otherwise be ignored without a word, leaving the setting at its default; every
/// command warns about such a variable, from this list.
public enum SwitchboardEnvironment {
    /// The database a command uses when `--db` names none (read by the command line's global options).
    public static let database = "SWITCHBOARD_DB"
    /// A file holding the PostgreSQL password, when `--db-password-file` names none.
    public static let databasePasswordFile = "SWITCHBOARD_DB_PASSWORD_FILE"
    /// A direct connection for PostgreSQL's LISTEN, when `--db-listen` names none.
    public static let databaseListen = "SWITCHBOARD_DB_LISTEN"
    /// `intake.token` of the configuration.
    public static let intakeToken = "SWITCHBOARD_INTAKE_TOKEN"
    /// `dashboard.token` of the configuration.
    public static let dashboardToken = "SWITCHBOARD_DASHBOARD_TOKEN"
    /// `api.jwt.secret` of the configuration.
    public static let apiJWTSecret = "SWITCHBOARD_API_JWT_SECRET"
    /// What a worker tells each `--exec` command about its job (`ShellCommandHandler`); a `switchboard`
    /// the command runs inherits them.
    public static let jobVariables = [
        "SWITCHBOARD_JOB_ID", "SWITCHBOARD_KIND", "SWITCHBOARD_QUEUE", "SWITCHBOARD_ATTEMPT",
    ]

    /// The variable of one provider setting: `SWITCHBOARD_TELEGRAM_BOT_TOKEN` for Telegram's `bot_token`.
    public static func providerSetting(_ provider: Provider, _ setting: String) -> String {
        providerPrefix(provider) + setting.uppercased()
    }

    /// What every variable of `provider`'s settings starts with.
    public static func providerPrefix(_ provider: Provider) -> String {
        "SWITCHBOARD_\(provider.rawValue.uppercased())_"
    }

    /// The settings a provider takes: its API's address, the credentials it sends with, the secrets its
    /// webhooks are checked with.
    static func settings(of provider: Provider) -> [String] {
        ["base_url"] + ProviderSettings.secretNames(of: provider)
    }

    /// Every variable Switchboard reads or sets.
    public static let known: Set<String> = Set(
        [database, databasePasswordFile, databaseListen, intakeToken, dashboardToken, apiJWTSecret] + jobVariables
            + Provider.allCases.flatMap { provider in settings(of: provider).map { providerSetting(provider, $0) } })

    /// The `SWITCHBOARD_*` variables in `environment` that Switchboard neither reads nor sets, sorted.
    public static func unknown(in environment: [String: String]) -> [String] {
        environment.keys.filter { $0.hasPrefix("SWITCHBOARD_") && !known.contains($0) }.sorted()
    }
}
