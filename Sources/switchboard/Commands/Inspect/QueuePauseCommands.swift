import Foundation
import Queue

/// `switchboard queues pause` and `queues resume`: one command, told which by its name.
struct QueuePauseCommand: Command {
    static let name = "queues pause"
    static let summary = "Pause queues fleet-wide: workers stop claiming their jobs until resumed"
    static let operands = "QUEUE..."
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard queues pause mail",
        "",
        "Jobs already running finish; new jobs are still accepted and wait. `switchboard stats` lists the",
        "paused queues; `queues resume` lets workers claim again.",
    ]

    let queues: [String]

    init(_ arguments: Arguments) throws {
        queues = try QueueNames.read(arguments)
    }

    func run(_ context: CommandContext) async throws {
        try await QueueNames.set(queues, paused: true, context)
    }
}

/// `switchboard queues resume`.
struct QueueResumeCommand: Command {
    static let name = "queues resume"
    static let summary = "Resume paused queues: workers claim their jobs again"
    static let operands = "QUEUE..."
    static let options: [OptionSpec] = []
    static let examples = ["switchboard queues resume mail"]

    let queues: [String]

    init(_ arguments: Arguments) throws {
        queues = try QueueNames.read(arguments)
    }

    func run(_ context: CommandContext) async throws {
        try await QueueNames.set(queues, paused: false, context)
    }
}

/// The queue names `queues pause` and `queues resume` take, checked before the database is opened.
enum QueueNames {
    static func read(_ arguments: Arguments) throws -> [String] {
        let names = arguments.positionals
        guard !names.isEmpty else { throw CommandFailure.usage("give at least one queue name") }
        for name in names {
            do {
                try NewJob.validateName(name, field: "queue")
            } catch let error as QueueError {
                throw CommandFailure.usage(error.message)
            }
        }
        return names
    }

    /// Pauses or resumes each queue, a line each.
    static func set(_ queues: [String], paused: Bool, _ context: CommandContext) async throws {
        let store = try await context.openStore(.existing)
        for queue in queues {
            let changed = paused ? try await store.pause(queue: queue) : try await store.resume(queue: queue)
            let text =
                switch (paused, changed) {
                case (true, true): "paused \(queue)"
                case (true, false): "\(queue) was paused already"
                case (false, true): "resumed \(queue)"
                case (false, false): "\(queue) was not paused"
                }
            context.output.result(text, json: ["queue": queue, "paused": paused, "changed": changed])
        }
    }
}
