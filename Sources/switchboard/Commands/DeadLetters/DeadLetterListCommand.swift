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
