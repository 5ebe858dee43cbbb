import ChatStore
import Enqueuer
import Foundation
import Queue

/// `switchboard link status`.
struct LinkStatusCommand: Command {
    static let name = "link status"
    static let summary = "Say whether a link token is pending, linked, expired or superseded"
    static let operands = "TOKEN"
    static let options: [OptionSpec] = []
    static let examples = ["switchboard link status 3q2-EXAMPLE-TOKEN"]

    let token: String

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else { throw CommandFailure.usage("give exactly one TOKEN") }
        token = arguments.positionals[0]
    }

    func run(_ context: CommandContext) async throws {
        let status = try await ChatStore(try await context.openStore(.readOnly)).linkTokenStatus(token)
        context.output.result(status.rawValue, json: ["status": status.rawValue])
    }
}
