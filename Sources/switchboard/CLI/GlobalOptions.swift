import Foundation
import Queue

/// Options every command takes, before or after the command's name.
struct GlobalOptions {
    static let database = Option<String>.text(
        "db", "PATH", "the database file (default: $SWITCHBOARD_DB, else ./switchboard.db)")
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
        Self.database.spec, Self.durability.spec, Self.lockTimeout.spec, Self.json.spec, Self.help.spec,
    ]

    /// The database `--db` or `$SWITCHBOARD_DB` names; nil when neither does.
    let database: StoreLocation?
    /// Where a command works when neither `--db`, `$SWITCHBOARD_DB` nor a configuration names a database.
    static let defaultDatabase = StoreLocation.sqlite(path: "switchboard.db")

    let durability: Durability
    let lockTimeout: Duration
    let json: Bool

    init(_ arguments: Arguments, environment: [String: String]) throws {
        let fromEnvironment = environment["SWITCHBOARD_DB"].flatMap { $0.isEmpty ? nil : $0 }
        database = (try arguments.value(Self.database) ?? fromEnvironment).map(StoreLocation.init)
        durability = try arguments.value(Self.durability) ?? .full
        lockTimeout = try arguments.value(Self.lockTimeout) ?? .seconds(20)
        json = try arguments.isSet(Self.json)
    }
}
