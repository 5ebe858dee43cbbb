import ChatStore
import Foundation
import Queue

/// `switchboard connect revoke`.
struct ConnectRevokeCommand: Command {
    static let name = "connect revoke"
    static let summary = "Revoke one of an owner's channel connections"
    private static let id = Option<Int>.integer("id", "N", .count(1...Int.max), "the connection's id (connect list)")
        .required

    static let options = [ConnectListCommand.owner.spec, Self.id.spec]
    static let examples = ["switchboard connect revoke --owner acct_42 --id 7"]

    let owner: String
    let id: Int

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        owner = try arguments.required(ConnectListCommand.owner)
        id = try arguments.required(Self.id)
    }

    func run(_ context: CommandContext) async throws {
        try await ChatStore(try await context.openStore(.existing)).revokeConnection(id: Int64(id), owner: owner)
        context.output.result("revoked: connection \(id)", json: ["id": id, "revoked": true])
    }
}
