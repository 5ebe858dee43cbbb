import Foundation
import JSON
import Workers

/// Finds the subcommand named on the command line, parses it, runs it, and turns failures into exit codes.
package enum CommandLineTool {
    static let commands: [any Command.Type] = [
        EnqueueCommand.self,
        WorkCommand.self,
        StatsCommand.self,
        WorkersCommand.self,
        MigrateCommand.self,
        JobsListCommand.self,
        JobsShowCommand.self,
        JobsCancelCommand.self,
        JobsRetryCommand.self,
        QueuePauseCommand.self,
        QueueResumeCommand.self,
        ScheduleAddCommand.self,
        ScheduleListCommand.self,
        ScheduleRemoveCommand.self,
        DeadLetterListCommand.self,
        DeadLetterShowCommand.self,
        DeadLetterRedriveCommand.self,
        DeadLetterPurgeCommand.self,
        DemoCommand.self,
        IntakeCommand.self,
        ServeCommand.self,
        PollCommand.self,
        ReceiveCommand.self,
        ConfigCheckCommand.self,
        ConnectCodeCommand.self,
        ConnectListCommand.self,
        ConnectRevokeCommand.self,
        LinkTokenCommand.self,
        LinkStatusCommand.self,
        LinkConfirmCommand.self,
        LinkListCommand.self,
        LinkDeleteCommand.self,
        LinkResolveCommand.self,
        APITokenCreateCommand.self,
        APITokenListCommand.self,
        APITokenRevokeCommand.self,
        BenchQueueCommand.self,
        BenchIntakeCommand.self,
        BenchPipelineCommand.self,
        BenchServeCommand.self,
        BenchReceiveCommand.self,
        FakeProviderCommand.self,
        BenchWorkerCommand.self,
    ]

    package static func main(_ words: [String]) async -> ExitCode {
        // `--json` anywhere (before a `--`) asks for errors as JSON too, even one about the command line.
        let json = words.prefix { $0 != "--" }.contains("--json")
        warnAboutUnknownVariables(ProcessInfo.processInfo.environment, json: json)
        let leading: [String]
        let rest: [String]
        do {
            (leading, rest) = try splitGlobalOptions(words)
        } catch {
            return report(CommandFailure(error), command: nil, json: json)
        }
        if rest.isEmpty && leading.contains("--version") {
            print("switchboard \(SwitchboardVersion.current)")
            return .success
        }
        guard let (command, after) = find(rest) else {
            return answerWithoutCommand(
                rest, askedForHelp: leading.contains("--help") || leading.contains("-h"), json: json)
        }
        do {
            let arguments = try Arguments(
                leading + after, options: command.options + GlobalOptions.specs, commandName: command.name)
            if try arguments.isSet(GlobalOptions.help) {
                print(command.help)
                return .success
            }
            let global = try GlobalOptions(arguments, environment: ProcessInfo.processInfo.environment)
            let parsed = try command.init(arguments)
            let output = Output(json: global.json)
            global.warnAboutExposedPassword(output)
            try await parsed.run(CommandContext(global: global, output: output))
            return .success
        } catch {
            return report(CommandFailure(error), command: command.name, json: json)
        }
    }

    /// The global options written before the command (`switchboard --db q.db stats`), and the words from
    /// the command on.
    private static func splitGlobalOptions(_ words: [String]) throws -> (leading: [String], rest: [String]) {
        let specs = Dictionary(GlobalOptions.specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index = 0
        while index < words.count, words[index].hasPrefix("-") {
            let word = words[index]
            let name = String(word.drop { $0 == "-" }.prefix { $0 != "=" })
            if word == "-h" || name == "version" {
                index += 1
                continue
            }
            guard let spec = specs[name] else {
                throw CommandFailure.usage("unknown option \(word) before the command (see switchboard --help)")
            }
            index += spec.value != nil && !word.contains("=") ? 2 : 1
        }
        return (Array(words.prefix(min(index, words.count))), Array(words.dropFirst(index)))
    }

    /// No command was named: the overview, a group's commands (`switchboard jobs`), or an error.
    private static func answerWithoutCommand(_ rest: [String], askedForHelp: Bool, json: Bool) -> ExitCode {
        guard let first = rest.first, first != "help" else {
            print(overview)
            return askedForHelp || rest.first == "help" ? .success : .usage
        }
        let group = commands.filter { $0.listed && $0.name.split(separator: " ").first.map(String.init) == first }
        if !group.isEmpty && (rest.count == 1 || ["--help", "-h", "help"].contains(rest[1])) {
            print(
                listing("switchboard \(first): commands", group) + "\n\nswitchboard \(first) COMMAND --help for each.")
            return rest.count == 1 ? .usage : .success
        }
        let failure = CommandFailure.usage(
            "unknown command \"\(rest.prefix(2).joined(separator: " "))\" (switchboard --help lists them)"
        )
        return report(failure, command: nil, json: json)
    }

    /// One line on stderr for each `SWITCHBOARD_*` variable Switchboard does not read (a misspelling would
    /// otherwise leave its setting at the default without a word), naming it but never its value, which
    /// may be a credential.
    private static func warnAboutUnknownVariables(_ environment: [String: String], json: Bool) {
        for name in SwitchboardEnvironment.unknown(in: environment) {
            let message = "\(name) is not a variable Switchboard reads; it is ignored"
            Output.message(
                json
                    ? Output.jsonLine(["warning": "unknown_variable", "variable": name, "message": message])
                    : "switchboard: warning: \(message)")
        }
    }

    /// Writes a failure to stderr, as a line of text or one JSON object, and returns its exit status.
    private static func report(_ failure: CommandFailure, command: String?, json: Bool) -> ExitCode {
        if json {
            var object: JSONObject = [
                "error": failure.code, "message": failure.message, "exit_status": Int(failure.exitCode.rawValue),
            ]
            object.set("http_status", failure.httpStatus)
            object.set("command", command)
            Output.message(Output.jsonLine(object))
        } else {
            Output.message("switchboard\(command.map { " \($0)" } ?? ""): \(failure.message)")
        }
        return failure.exitCode
    }

    /// The command whose name is the longest prefix of `words`, and the words after it.
    private static func find(_ words: [String]) -> (any Command.Type, [String])? {
        commands
            .map { command in (command, command.name.split(separator: " ").map(String.init)) }
            .filter { _, name in words.starts(with: name) }
            .max { $0.1.count < $1.1.count }
            .map { command, name in (command, Array(words.dropFirst(name.count))) }
    }

    private static func listing(_ title: String, _ commands: [any Command.Type]) -> String {
        let width = (commands.map { $0.name.count }.max() ?? 0) + 2
        return
            ([title]
            + commands.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary })
            .joined(separator: "\n")
    }

    static var overview: String {
        [
            "switchboard \(SwitchboardVersion.current): a durable job queue and worker system for chat-bot backends.",
            "",
            "Usage: switchboard \(GlobalOptions.specs.filter { $0.name != "help" }.map(\.synopsis).joined(separator: " ")) "
                + "COMMAND [OPTIONS]",
            "       switchboard COMMAND --help     each command's options, with examples",
            "       switchboard --version",
            "",
            listing("Commands:", commands.filter { $0.listed }),
        ].joined(separator: "\n")
    }
}
