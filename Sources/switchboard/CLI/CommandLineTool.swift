import Foundation

/// Finds the subcommand named on the command line, parses it, runs it, and turns failures into exit codes.
enum CommandLineTool {
    static let commands: [any Command.Type] = [
        EnqueueCommand.self,
        WorkCommand.self,
        StatsCommand.self,
        MigrateCommand.self,
        JobsListCommand.self,
        JobsShowCommand.self,
        DeadLetterListCommand.self,
        DeadLetterShowCommand.self,
        DeadLetterRedriveCommand.self,
        DeadLetterPurgeCommand.self,
        DemoCommand.self,
        IntakeCommand.self,
        ConnectCodeCommand.self,
        LinkTokenCommand.self,
        LinkStatusCommand.self,
        LinkConfirmCommand.self,
        LinkListCommand.self,
        LinkDeleteCommand.self,
        LinkResolveCommand.self,
        BenchQueueCommand.self,
        BenchIntakeCommand.self,
        BenchPipelineCommand.self,
        FakeProviderCommand.self,
        BenchWorkerCommand.self,
    ]

    static func main(_ words: [String]) async -> ExitCode {
        guard let (command, rest) = find(words) else {
            let first = words.first ?? ""
            if first.isEmpty || first == "--help" || first == "-h" || first == "help" {
                print(overview)
                return first.isEmpty ? .usage : .success
            }
            Output.message("switchboard: unknown command \"\(words.prefix(2).joined(separator: " "))\"\n\n\(overview)")
            return .usage
        }
        do {
            let arguments = try Arguments(rest, options: command.options + GlobalOptions.specs, commandName: command.name)
            if arguments.flag("help") {
                print(command.help)
                return .success
            }
            let global = try GlobalOptions(arguments, environment: ProcessInfo.processInfo.environment)
            let parsed = try command.init(arguments)
            try await parsed.run(CommandContext(global: global, output: Output(json: global.json)))
            return .success
        } catch {
            let failure = CommandFailure(error)
            Output.message("switchboard \(command.name): \(failure.message)")
            return failure.exitCode
        }
    }

    /// The command whose name is the longest prefix of `words`, and the words after it.
    private static func find(_ words: [String]) -> (any Command.Type, [String])? {
        commands
            .map { command in (command, command.name.split(separator: " ").map(String.init)) }
            .filter { _, name in words.starts(with: name) }
            .max { $0.1.count < $1.1.count }
            .map { command, name in (command, Array(words.dropFirst(name.count))) }
    }

    static var overview: String {
        let listed = commands.filter { $0.listed }
        let width = (listed.map { $0.name.count }.max() ?? 0) + 2
        return (
            [
                "switchboard: a durable job queue and worker system for chat-bot backends.",
                "",
                "Usage: switchboard COMMAND [OPTIONS]   (switchboard COMMAND --help for each)",
                "",
                "Commands:",
            ] + listed.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary }
        ).joined(separator: "\n")
    }
}
