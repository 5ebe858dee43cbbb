import ChatStore
import Foundation
import Queue

/// `switchboard connect list`: the chat identities bound to an owner with connect codes.
struct ConnectListCommand: Command {
    static let name = "connect list"
    static let summary = "List the chat identities an owner connected with codes"
    static let owner = Option<String>.text("owner", "A", "the account whose connections to list").required

    static let options = [Self.owner.spec]
    static let examples = ["switchboard connect list --owner acct_42"]

    let owner: String

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        owner = try arguments.required(Self.owner)
    }

    func run(_ context: CommandContext) async throws {
        let connections = try await ChatStore(try await context.openStore(.readOnly)).connections(owner: owner)
        if context.output.json {
            for connection in connections {
                var fields = connection.fields
                fields.set("owner", connection.owner)
                context.output.result("", json: fields)
            }
            return
        }
        let rows = connections.map {
            [String($0.id), $0.provider, $0.workspace, $0.user, $0.createdAt.description]
        }
        context.output.result(
            TextTable(header: ["id", "provider", "workspace", "user", "created"], rows: rows).rendered, json: [:])
    }
}
