import Foundation
import Queue
import Synchronization
import Workers

/// `switchboard dlq purge`.
struct DeadLetterPurgeCommand: Command {
    static let name = "dlq purge"
    static let summary = "Delete dead letters for good"
    static let synopsis = ["dlq purge (ID... | (--all | --older-than DURATION) (--yes | --dry-run))"]
    static let options: [OptionSpec] = [
        .flag("all", "every dead letter"),
        .value("older-than", "DURATION", "those dead for at least this long (7d, 12h, 30m, 45s)"),
        .flag("yes", "with --all or --older-than: delete them (without it, only say how many)"),
        .flag("dry-run", "list what would be deleted, and delete nothing"),
    ]
    static let examples = [
        "switchboard dlq purge --older-than 7d --dry-run",
        "switchboard dlq purge --older-than 7d --yes",
        "switchboard dlq purge 41 42",
    ]

    let selection: DeadLetterSelection
    let confirmed: Bool
    let dryRun: Bool

    init(_ arguments: Arguments) throws {
        selection = try deadLetterSelection(arguments, flags: [
            "all": { $0.flag("all") ? .all : nil },
            "older-than": { try $0.duration("older-than", Bounds.age).map(DeadLetterSelection.olderThan) },
        ])
        confirmed = arguments.flag("yes")
        dryRun = arguments.flag("dry-run")
        if confirmed && dryRun {
            throw CommandFailure.usage("give --yes or --dry-run, not both")
        }
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(dryRun ? .readOnly : .existing)
        if dryRun {
            let doomed = try await store.deadLetters(selection)
            JobPrinter.list(doomed, limit: doomed.count, deadLetters: true, output: context.output)
            Output.message("dlq purge would delete \(doomed.count) dead letters; nothing was deleted")
            return
        }
        if case .ids = selection {} else if !confirmed {
            let count = try await store.deadLetterIDs(selection).count
            throw CommandFailure.usage(
                "this would delete \(count) dead letters for good: run it again with --yes "
                    + "(or with --dry-run to list them)"
            )
        }
        let count = try await store.purgeDeadLetters(selection)
        context.output.result("purged \(count) dead letters", json: ["purged": count])
    }
}
