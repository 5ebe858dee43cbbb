import Foundation
import Queue

/// One `switchboard` subcommand: parsed and validated from its arguments, then run.
protocol Command: Sendable {
    /// The words that name it, such as `dlq redrive`.
    static var name: String { get }
    static var summary: String { get }
    /// The synopsis lines after `switchboard`.
    static var synopsis: [String] { get }
    /// Its own options; the global ones are added.
    static var options: [OptionSpec] { get }
    /// Example invocations for `--help`.
    static var examples: [String] { get }
    /// Shown in the command list of `switchboard --help`.
    static var listed: Bool { get }

    /// Parses and validates; throws `CommandFailure.usage` for anything wrong, before touching a database.
    init(_ arguments: Arguments) throws

    func run(_ context: CommandContext) async throws
}

extension Command {
    static var listed: Bool { true }

    static var help: String {
        var lines = ["\(summary)", "", "Usage:"]
        lines += synopsis.map { "  switchboard \($0)" }
        lines += ["", "Options:"]
        for option in options + GlobalOptions.specs {
            let left = "--\(option.name)" + (option.value.map { " \($0)" } ?? "")
            lines.append("  " + left.padding(toLength: max(24, left.count + 2), withPad: " ", startingAt: 0) + option.help)
        }
        lines += ["", "Examples:"] + examples.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}

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

/// What a running command needs from the outside world.
struct CommandContext {
    let global: GlobalOptions
    let output: Output

    /// Opens the store. Commands that change existing jobs pass `.existing`, so a mistyped path fails
    /// instead of creating an empty database; commands that only look pass `.readOnly`, and write nothing.
    /// - Parameter path: the database, when not the one the global options name.
    func openStore(
        _ access: StoreAccess, at path: String? = nil, configure: (inout StoreOptions) -> Void = { _ in }
    ) async throws -> JobStore {
        var options = StoreOptions()
        options.durability = global.durability
        options.lockTimeout = global.lockTimeout
        options.access = access
        configure(&options)
        return try await JobStore.open(path: path ?? global.databasePath, options: options)
    }
}
