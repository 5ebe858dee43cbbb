import Foundation
import Workers

/// `switchboard config check`: reads a worker configuration file, with the environment's `SWITCHBOARD_*`
/// settings, as `work --config`, `serve --config` and `poll --config` would, and says whether it can be used.
struct ConfigCheckCommand: Command {
    static let name = "config check"
    static let summary = "Check a worker configuration file: every key known, every value usable"
    static let operands = "[FILE]"
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard config check /etc/switchboard/switchboard.json",
        "switchboard config check --config /etc/switchboard/switchboard.json",
        "",
        "Reads the file and the SWITCHBOARD_* environment as work, serve and poll do: unknown keys, wrong types,",
        "placeholders (replace-me), short tokens, malformed secrets and URLs, and a provider without the",
        "credentials it sends with are refused. Exits 0 when the file can be used, 65 naming the key (or the",
        "variable) that cannot, 74 when the file cannot be read.",
    ]

    /// The file named as the operand; without one, the one `--config` names.
    let operand: String?

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count <= 1 else {
            throw CommandFailure.usage("give one configuration FILE")
        }
        operand = arguments.positionals.first
    }

    func run(_ context: CommandContext) async throws {
        let file: String
        switch (operand, context.global.configFile) {
        case (let named?, nil), (nil, let named?): file = named
        case (let named?, let option?) where named == option: file = named
        case (_?, _?): throw CommandFailure.usage("give the configuration FILE once: as the operand or with --config")
        case (nil, nil): throw CommandFailure.usage("give the configuration FILE to check (or --config FILE)")
        }
        let configuration = try ChatConfiguration.load(file: file, environment: ProcessInfo.processInfo.environment)
        let providers = configuration.providers.keys.map(\.rawValue).sorted()
        context.output.result(
            "\(file) is valid" + (providers.isEmpty ? "" : "; providers: \(providers.joined(separator: ", "))"),
            json: ["valid": true, "providers": providers]
        )
    }
}
