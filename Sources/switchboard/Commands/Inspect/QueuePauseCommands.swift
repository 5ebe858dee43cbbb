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
        let store = try await context.openStore(.existing)
        for queue in queues {
            let changed = try await store.pause(queue: queue)
            context.output.result(
                changed ? "paused \(queue)" : "\(queue) was paused already",
                json: ["queue": queue, "paused": true, "changed": changed])
        }
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
        let store = try await context.openStore(.existing)
        for queue in queues {
            let changed = try await store.resume(queue: queue)
            context.output.result(
                changed ? "resumed \(queue)" : "\(queue) was not paused",
                json: ["queue": queue, "paused": false, "changed": changed])
        }
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
}
