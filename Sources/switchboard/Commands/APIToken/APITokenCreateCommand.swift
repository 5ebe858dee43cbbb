import ChatStore
import Foundation
import JSON
import Queue

/// `switchboard api-token create`.
struct APITokenCreateCommand: Command {
    static let name = "api-token create"
    static let summary = "Create a token a service calls serve's API with (printed once, stored as a digest)"
    static let tokenName = Option<String>.text("name", "NAME", "what the token is for: letters, digits, - _ .")
    private static let scope = Option<[String]>.list(
        "scope", "SCOPE,...", "what it may do: links (bot-facing linking), jobs (the queue), admin (everything)")

    static let options = [tokenName.spec, scope.spec]
    static let examples = [
        "switchboard api-token create --name bot-service --scope links",
        "switchboard api-token create --name backend --scope links,jobs",
    ]

    let tokenName: String
    let scopes: [APIScope]

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        tokenName = try arguments.required(Self.tokenName)
        let names = try arguments.required(Self.scope)
        scopes = try names.map { name in
            guard let scope = APIScope(rawValue: name) else {
                throw CommandFailure.usage(
                    "--scope: '\(name)' is not a scope (\(APIScope.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return scope
        }
    }

    func run(_ context: CommandContext) async throws {
        let created = try await ChatStore(try await context.openStore(.create)).createAPIToken(
            name: tokenName, scopes: scopes)
        let scopes = created.token.scopes.map(\.rawValue)
        context.output.result(
            "token: \(created.secret)\nname: \(created.token.name)\nscopes: \(scopes.joined(separator: ","))\n"
                + "It is shown only now: keep it where the service reads its secrets.",
            json: [
                "token": created.secret, "name": created.token.name,
                "scopes": JSONValue.array(scopes.map(JSONValue.string)),
                "created_at": created.token.createdAt.description,
            ]
        )
    }
}
