import ChatStore
import Enqueuer
import Foundation
import Queue

/// `switchboard link confirm`.
struct LinkConfirmCommand: Command {
    static let name = "link confirm"
    static let summary = "Use a link token to link its server or user to an account"
    static let operands = "TOKEN"
    static let options = [LinkSubject.account.spec, LinkSubject.type.spec]
    static let examples = ["switchboard link confirm 3q2-EXAMPLE-TOKEN --account acct_42"]

    let token: String
    let account: String
    let expecting: LinkType?

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else { throw CommandFailure.usage("give exactly one TOKEN") }
        token = arguments.positionals[0]
        account = try arguments.required(LinkSubject.account)
        expecting = try arguments.value(LinkSubject.type)
    }

    func run(_ context: CommandContext) async throws {
        let links = try ChatStore(try await context.openStore(.existing))
        let link = try await links.confirmLinkToken(token, account: account, expecting: expecting)
        LinkPrinter.print([link], output: context.output)
    }
}
