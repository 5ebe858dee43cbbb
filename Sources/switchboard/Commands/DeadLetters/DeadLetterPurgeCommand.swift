import Foundation
import Queue

/// `switchboard dlq purge`.
struct DeadLetterPurgeCommand: Command {
    static let name = "dlq purge"
    static let summary = "Delete dead letters for good"
    static let operands = "[ID...]"
    private static let all = Flag("all", "every dead letter")
    private static let olderThan = Option<Duration>.durationWithUnit(
        "older-than", "DURATION", Bounds.age, "those dead for at least this long (7d, 12h, 30m, 45s)"
    )
    private static let yes = Flag("yes", "with --all or --older-than: delete them (without it, only say how many)")
    private static let dryRun = Flag("dry-run", "list what would be deleted, and delete nothing")

    static let options = [Self.all.spec, Self.olderThan.spec, Self.yes.spec, Self.dryRun.spec]
    static let examples = [
        "switchboard dlq purge --older-than 7d --dry-run",
        "switchboard dlq purge --older-than 7d --yes",
        "switchboard dlq purge 41 42",
    ]

    let selection: DeadLetterSelection
    let confirmed: Bool
    let dryRun: Bool

    init(_ arguments: Arguments) throws {
        selection = try .chosen(
            ids: arguments.ids(),
            or: [
                (Self.all.spec, try arguments.isSet(Self.all) ? .all : nil),
                (Self.olderThan.spec, try arguments.value(Self.olderThan).map(DeadLetterSelection.olderThan)),
            ])
        confirmed = try arguments.isSet(Self.yes)
        dryRun = try arguments.isSet(Self.dryRun)
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
        if case .ids = selection {
        } else if !confirmed {
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
