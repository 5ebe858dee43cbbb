import ChatStore
import Enqueuer
import Foundation
import Queue

/// `switchboard link delete`.
struct LinkDeleteCommand: Command {
    static let name = "link delete"
    static let summary = "Delete one of an account's links"
    static let operands = "ID"
    static let options = [LinkSubject.account.spec]
    static let examples = ["switchboard link delete 7 --account acct_42"]

    let id: String
    let account: String

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else { throw CommandFailure.usage("give exactly one link ID") }
        id = arguments.positionals[0]
        account = try arguments.required(LinkSubject.account)
    }

    func run(_ context: CommandContext) async throws {
        // Whatever is not a link id (an injection attempt, a path) names no link.
        guard let id = Int64(id), id > 0 else { throw LinkError(.notFound, "no link with id \(self.id.prefix(64))") }
        try await ChatStore(try await context.openStore(.existing)).deleteLink(id: id, account: account)
        context.output.result("deleted link \(id)", json: ["deleted": id])
    }
}
