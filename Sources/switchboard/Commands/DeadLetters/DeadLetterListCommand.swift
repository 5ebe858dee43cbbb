import Foundation
import Queue

/// `switchboard dlq list`.
struct DeadLetterListCommand: Command {
    static let name = "dlq list"
    static let summary = "List dead letters, in the order they died"
    static let options = ListOptions.specs
    static let examples = ["switchboard dlq list --queue mail"]

    let queue: String?
    let kind: String?
    let limit: Int

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        queue = try arguments.value(ListOptions.queue)
        kind = try arguments.value(ListOptions.kind)
        limit = try arguments.value(ListOptions.limit) ?? 100
    }

    func run(_ context: CommandContext) async throws {
        let store = try await context.openStore(.readOnly)
        let deadLetters = try await store.deadLetters(queue: queue, kind: kind, limit: limit + 1)
        JobPrinter.list(deadLetters, limit: limit, deadLetters: true, output: context.output)
    }
}
