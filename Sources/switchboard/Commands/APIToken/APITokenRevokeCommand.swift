import ChatStore
import Foundation
import Queue

/// `switchboard api-token revoke`.
struct APITokenRevokeCommand: Command {
    static let name = "api-token revoke"
    static let summary = "Revoke an API token by its name: it stops working at once"
    static let options = [APITokenCreateCommand.tokenName.spec]
    static let examples = ["switchboard api-token revoke --name bot-service"]

    let tokenName: String

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        tokenName = try arguments.required(APITokenCreateCommand.tokenName)
    }

    func run(_ context: CommandContext) async throws {
        let revoked = try await ChatStore(try await context.openStore(.existing)).revokeAPIToken(name: tokenName)
        context.output.result(
            "revoked: \(revoked.name)", json: APITokenPrinter.fields(revoked))
    }
}
