import Foundation
import Queue
import Synchronization
import Workers

/// `switchboard dlq list`.
struct DeadLetterListCommand: Command {
    static let name = "dlq list"
    static let summary = "List dead letters, in the order they died"
    static let synopsis = ["dlq list [--queue Q] [--kind K] [--limit N]"]
    static let options: [OptionSpec] = [
        .value("queue", "Q", "only this queue"),
        .value("kind", "K", "only this kind"),
        .value("limit", "N", "at most this many (default 100)"),
    ]
    static let examples = ["switchboard dlq list --queue mail"]

    let queue: String?
    let kind: String?
    let limit: Int

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        queue = arguments.string("queue")
        kind = arguments.string("kind")
        limit = try arguments.integer("limit", Bounds.limit) ?? 100
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.readOnly)
        let deadLetters = try await store.deadLetters(queue: queue, kind: kind, limit: limit + 1)
        JobPrinter.list(deadLetters, limit: limit, deadLetters: true, output: context.output)
    }
}

/// `switchboard dlq show`.
struct DeadLetterShowCommand: Command {
    static let name = "dlq show"
    static let summary = "Show one dead letter with its error history"
    static let synopsis = ["dlq show ID"]
    static let options: [OptionSpec] = []
    static let examples = ["switchboard dlq show 42"]

    let id: Int64

    init(_ arguments: Arguments) throws {
        id = try arguments.singleID()
    }

    func run(_ context: CommandContext) async throws {
        JobPrinter.detail(try await context.openStore(.readOnly).deadLetter(id: id), output: context.output)
    }
}

/// The dead letters a redrive or purge names: ids, or one of its selection flags.
private func deadLetterSelection(_ arguments: Arguments, flags: [String: (Arguments) throws -> DeadLetterSelection?])
    throws -> DeadLetterSelection
{
    let ids = try arguments.ids()
    var chosen: [DeadLetterSelection] = ids.isEmpty ? [] : [.ids(ids)]
    for (_, read) in flags.sorted(by: { $0.key < $1.key }) {
        if let selection = try read(arguments) { chosen.append(selection) }
    }
    guard chosen.count == 1 else {
        let names = flags.keys.sorted().map { "--\($0)" }.joined(separator: ", ")
        throw CommandFailure.usage("name the dead letters with ids or exactly one of \(names)")
    }
    return chosen[0]
}

/// `switchboard dlq redrive`.
struct DeadLetterRedriveCommand: Command {
    static let name = "dlq redrive"
    static let summary = "Put dead letters back to run, attempts reset"
    static let synopsis = ["dlq redrive (ID... | --all | --queue Q) [--rate N]"]
    static let options: [OptionSpec] = [
        .flag("all", "every dead letter"),
        .value("queue", "Q", "every dead letter of this queue"),
        .value("rate", "N", "at most N per second"),
    ]
    static let examples = ["switchboard dlq redrive 41 42", "switchboard dlq redrive --queue mail --rate 50"]

    let selection: DeadLetterSelection
    let rate: Int?

    init(_ arguments: Arguments) throws {
        selection = try deadLetterSelection(arguments, flags: [
            "all": { $0.flag("all") ? .all : nil },
            "queue": { $0.string("queue").map(DeadLetterSelection.queue) },
        ])
        rate = try arguments.integer("rate", Bounds.rate)
    }

    /// With `--rate`, says how far it has got after each batch; Ctrl-C (or SIGTERM) stops it between
    /// batches and says how many were redriven.
    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.existing)
        let rate = self.rate
        let selection = self.selection
        let progress = Mutex((done: 0, total: 0))
        let redrive = Task {
            try await store.redriveDeadLetters(selection, perSecond: rate) { done, total in
                progress.withLock { $0 = (done, total) }
                if rate != nil {
                    Output.message(
                        context.output.json
                            ? Output.jsonLine(["progress": done, "total": total]) : "redrove \(done) of \(total) dead letters"
                    )
                }
            }
        }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { _ in redrive.cancel() }
        defer { withExtendedLifetime(signals) {} }
        do {
            let count = try await redrive.value
            context.output.result("redrove \(count) dead letters", json: ["redriven": count])
        } catch is CancellationError {
            let (done, total) = progress.withLock { $0 }
            context.output.result("interrupted: redrove \(done) of \(total) dead letters", json: ["redriven": done, "total": total, "interrupted": true])
            throw CommandFailure(exitCode: .interrupted, message: "interrupted after redriving \(done) of \(total) dead letters")
        }
    }
}

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
