import ChatStore
import Foundation
import JSON
import Queue

/// `switchboard api-token list`.
struct APITokenListCommand: Command {
    static let name = "api-token list"
    static let summary = "List the API tokens, revoked ones too (never their secrets)"
    static let options: [OptionSpec] = []
    static let examples = ["switchboard api-token list"]

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
    }

    func run(_ context: CommandContext) async throws {
        let tokens = try await ChatStore(try await context.openStore(.readOnly)).apiTokens()
        if context.output.json {
            for token in tokens {
                context.output.result("", json: APITokenPrinter.fields(token))
            }
            return
        }
        let rows = tokens.map { token in
            [
                token.name, token.scopes.map(\.rawValue).joined(separator: ","), token.createdAt.description,
                token.revokedAt?.description ?? "-",
            ]
        }
        context.output.result(
            TextTable(header: ["name", "scopes", "created", "revoked"], rows: rows).rendered, json: [:])
    }
}
