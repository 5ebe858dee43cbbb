import Foundation
import Queue

/// Options every command takes, before or after the command's name.
struct GlobalOptions {
    static let database = Option<String>.text(
        "db", "PATH|URL",
        "the database: a SQLite file or a postgres:// URL (default: $SWITCHBOARD_DB, else the configuration's "
            + "\"database\", else ./switchboard.db)")
    static let config = Option<String>.text(
        "config", "FILE",
        "a JSON configuration file (see ops/switchboard.example.json): credentials, the agent, the database")
    static let databasePasswordFile = Option<String>.text(
        "db-password-file", "FILE",
        "the PostgreSQL password, kept out of the URL (default: $SWITCHBOARD_DB_PASSWORD_FILE, else the "
            + "configuration's \"database_password_file\", else the URL or ~/.pgpass)")
    static let databaseListen = Option<String>.text(
        "db-listen", "URL",
        "on PostgreSQL reached through a connection pooler, a direct connection to the same database, used only "
            + "to LISTEN for new work (default: $SWITCHBOARD_DB_LISTEN, else the configuration's \"database_listen\")")
    static let durability = Option<Durability>.choice(
        "durability", "full: commits survive power loss (default); normal: a process crash"
    )
    static let lockTimeout = Option<Duration>.duration(
        "lock-timeout", "DURATION", Bounds.lockTimeout,
        "how long a write waits for other writers before exiting 75 (default 20s)"
    )
    static let json = Flag("json", "machine-readable output, one JSON object per line")
    static let help = Flag("help", "show this help")

    static let specs = [
        Self.database.spec, Self.config.spec, Self.databasePasswordFile.spec, Self.databaseListen.spec,
        Self.durability.spec,
        Self.lockTimeout.spec, Self.json.spec, Self.help.spec,
    ]

    /// The database `--db` or `$SWITCHBOARD_DB` names; nil when neither does. Commands find theirs with
    /// `CommandContext.database`, which looks at the configuration too.
    let database: StoreLocation?
    /// Whether `database` came from `--db` (the command line, which `ps` shows) rather than the environment.
    let databaseFromFlag: Bool
    /// `--config`: the configuration file.
    let configFile: String?
    /// `--db-password-file`.
    let databasePasswordFile: String?
    /// `--db-listen`.
    let databaseListen: String?
    /// The process's environment, read once.
    let environment: [String: String]

    let durability: Durability
    let lockTimeout: Duration
    let json: Bool

    init(_ arguments: Arguments, environment: [String: String]) throws {
        self.environment = environment
        let flag = try arguments.value(Self.database)
        let fromEnvironment = environment["SWITCHBOARD_DB"].flatMap { $0.isEmpty ? nil : $0 }
        database = (flag ?? fromEnvironment).map(StoreLocation.init)
        databaseFromFlag = flag != nil
        configFile = try arguments.value(Self.config)
        databasePasswordFile = try arguments.value(Self.databasePasswordFile)
        databaseListen = try arguments.value(Self.databaseListen)
        durability = try arguments.value(Self.durability) ?? .full
        lockTimeout = try arguments.value(Self.lockTimeout) ?? .seconds(20)
        json = try arguments.isSet(Self.json)
    }

    /// A password in `--db` is on the command line, where `ps` shows it to every user of the machine:
    /// warned about once, before the command runs.
    func warnAboutExposedPassword(_ output: Output) {
        guard databaseFromFlag, let database, !database.passwordForms.isEmpty else { return }
        output.notice(
            "warning: the database password is on the command line (--db), where ps shows it to every user of this "
                + "machine; give it with --db-password-file FILE, $SWITCHBOARD_DB_PASSWORD_FILE, the configuration's "
                + "\"database_password_file\" or ~/.pgpass instead",
            code: "password_on_command_line")
    }
}
