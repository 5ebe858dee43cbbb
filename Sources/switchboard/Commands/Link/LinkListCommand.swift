import Enqueuer
import ChatStore
import Foundation
import Queue

/// `switchboard link list`.
struct LinkListCommand: Command {
    static let name = "link list"
    static let summary = "List an account's links"
    static let synopsis = ["link list --account A"]
    static let options: [OptionSpec] = [.value("account", "A", "whose links")]
    static let examples = ["switchboard link list --account acct_42"]

    let account: String

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        guard let account = arguments.string("account"), !account.isEmpty else {
            throw CommandFailure.usage("--account is required")
        }
        self.account = account
    }

    func run(_ context: CommandContext) async throws {
        let links = try await try ChatStore(try await context.openStore(.readOnly)).links(account: account)
        LinkPrinter.print(links, output: context.output)
    }
}
