import ChatStore
import Enqueuer
import Foundation
import JSON
import Queue

/// `switchboard connect code`: a code an owner sends from the chat to bind it.
struct ConnectCodeCommand: Command {
    static let name = "connect code"
    static let summary = "Issue a one-time code that binds a chat identity to an owner"
    private static let owner = Option<String>.text("owner", "A", "the account the chat identity will belong to")
        .required
    private static let provider = Option<Provider>.choice("provider", "the provider the code is for").required
    private static let botUsername = Option<String>.text(
        "bot-username", "NAME", "Telegram only: print the t.me deep link for this bot")

    static let options = [Self.owner.spec, Self.provider.spec, Self.botUsername.spec]
    static let examples = ["switchboard connect code --owner acct_42 --provider slack"]

    let owner: String
    let provider: Provider
    let botUsername: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        owner = try arguments.required(Self.owner)
        provider = try arguments.required(Self.provider)
        botUsername = try arguments.value(Self.botUsername)
    }

    func run(_ context: CommandContext) async throws {
        let links = try ChatStore(try await context.openStore(.create))
        let code = try await links.requestConnectCode(owner: owner, provider: provider.rawValue)
        let instruction =
            "Send \(LinkCommand.command(for: provider)) \(code.code) to the Switchboard \(provider.displayName) bot."
        let url = botUsername.flatMap { provider.inbound.deepLink(bot: $0, code: code.code) }
        context.output.result(
            [
                "code: \(code.code)", "instruction: \(instruction)", url.map { "link: \($0)" },
                "expires: \(code.expiresAt)",
            ]
            .compactMap { $0 }.joined(separator: "\n"),
            json: [
                "code": code.code, "instruction": instruction, "url": url.json,
                "expires_at": code.expiresAt.description,
                "expires_in": Int(ChatStore.connectCodeLifetime.seconds),
            ]
        )
    }
}
