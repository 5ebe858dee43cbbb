import Foundation
import Workers

/// `switchboard config check`: reads a worker configuration file as `work --config` would, and says
/// whether it can be used.
struct ConfigCheckCommand: Command {
    static let name = "config check"
    static let summary = "Check a worker configuration file: every key known, every value of the right type"
    static let operands = "FILE"
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard config check /etc/switchboard/switchboard.json",
        "",
        "Exits 0 when the file can be used, 65 naming the key that cannot, 74 when the file cannot be read.",
    ]

    let file: String

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else {
            throw CommandFailure.usage("give exactly one configuration FILE")
        }
        file = arguments.positionals[0]
    }

    func run(_ context: CommandContext) async throws {
        let configuration = try ChatConfiguration.load(file: file, environment: [:])
        let providers = configuration.providers.keys.map(\.rawValue).sorted()
        context.output.result(
            "\(file) is valid" + (providers.isEmpty ? "" : "; providers: \(providers.joined(separator: ", "))"),
            json: ["valid": true, "providers": providers]
        )
    }
}
