import Foundation
import Queue

/// Options every command takes.
struct GlobalOptions {
    static let specs: [OptionSpec] = [
        .value("db", "PATH", "the database file (default: $SWITCHBOARD_DB, else ./switchboard.db)"),
        .value("durability", "full|normal", "full: commits survive power loss (default); normal: a process crash"),
        .value("lock-timeout", "DURATION", "how long a write waits for other writers before exiting 75 (default 20s)"),
        .flag("json", "machine-readable output, one JSON object per line"),
        .flag("help", "show this help"),
    ]

    let databasePath: String
    let durability: Durability
    let lockTimeout: Duration
    let json: Bool

    init(_ arguments: Arguments, environment: [String: String]) throws {
        let fromEnvironment = environment["SWITCHBOARD_DB"].flatMap { $0.isEmpty ? nil : $0 }
        databasePath = arguments.string("db") ?? fromEnvironment ?? "switchboard.db"
        if databasePath.isEmpty {
            throw CommandFailure.usage("--db must not be empty")
        }
        let durabilityText = arguments.string("durability") ?? Durability.full.rawValue
        guard let durability = Durability(rawValue: durabilityText) else {
            throw CommandFailure.usage("--durability must be full or normal, got \"\(durabilityText)\"")
        }
        self.durability = durability
        lockTimeout = try arguments.duration("lock-timeout", Bounds.lockTimeout) ?? .seconds(20)
        json = arguments.flag("json")
    }
}
