import ChatStore
import Enqueuer
import Foundation
import JSON
import Queue

/// `switchboard link token`.
struct LinkTokenCommand: Command {
    static let name = "link token"
    static let summary = "Issue a one-time token that links a server or user to the account that confirms it"
    private static let linkBase = Option<String>.text(
        "link-base", "URL", "print the page URL: URL followed by the token")
    private static let serverName = Option<String>.text(
        "server-name", "NAME", "server links: the server's name, which the link page shows")

    static let options =
        [LinkSubject.type.required.spec] + LinkSubject.specs + [Self.linkBase.spec, Self.serverName.spec]
    static let examples = [
        "switchboard link token --type server --platform discord --server-id 81384788765712384",
        "switchboard link token --type user --platform telegram --user-id 1111111 --link-base https://example.com/link/",
    ]

    let subject: LinkSubject
    let linkBase: String?
    let serverName: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        subject = try LinkSubject(arguments, requireType: true)
        linkBase = try arguments.value(Self.linkBase)
        serverName = try arguments.value(Self.serverName)
    }

    func run(_ context: CommandContext) async throws {
        let links = try ChatStore(try await context.openStore(.create))
        let token = try await links.createLinkToken(
            type: subject.type, platform: subject.platform, subject: subject.id, serverName: serverName)
        let url = linkBase.map { $0 + token.token }
        context.output.result(
            ["token: \(token.token)", url.map { "url: \($0)" }, "expires: \(token.expiresAt)"].compactMap { $0 }
                .joined(separator: "\n"),
            json: ["token": token.token, "url": url.json, "expires_at": token.expiresAt.description]
        )
    }
}
