import ChatStore
import Enqueuer
import Foundation
import Queue

/// `switchboard link list`.
struct LinkListCommand: Command {
    static let name = "link list"
    static let summary = "List an account's links"
    static let options = [LinkSubject.account.spec]
    static let examples = ["switchboard link list --account acct_42"]

    let account: String

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        account = try arguments.required(LinkSubject.account)
    }

    func run(_ context: CommandContext) async throws {
        let links = try await ChatStore(try await context.openStore(.readOnly)).links(account: account)
        LinkPrinter.print(links, output: context.output)
    }
}
