import ChatStore
import Enqueuer
import Foundation
import JSON
import Queue

/// `switchboard connect code`: a code an owner sends from the chat to bind it.
struct ConnectCodeCommand: Command {
    static let name = "connect code"
    static let summary = "Issue a one-time code that binds a chat identity to an owner"
    static let synopsis = ["connect code --owner A --provider P [--bot-username NAME]"]
    static let options: [OptionSpec] = [
        .value("owner", "A", "the account the chat identity will belong to"),
        .value("provider", "P", "the provider the code is for"),
        .value("bot-username", "NAME", "Telegram only: print the t.me deep link for this bot"),
    ]
    static let examples = ["switchboard connect code --owner acct_42 --provider slack"]

    let owner: String
    let provider: Provider
    let botUsername: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        guard let owner = arguments.string("owner"), !owner.isEmpty else { throw CommandFailure.usage("--owner is required") }
        self.owner = owner
        provider = try providerOption(arguments)
        botUsername = arguments.string("bot-username")
    }

    func run(_ context: CommandContext) async throws {
        let links = try ChatStore(try await context.openStore(.create))
        let code = try await links.requestConnectCode(owner: owner, provider: provider.rawValue)
        let command = provider == .telegram ? "/start" : "/connect"
        let instruction = "Send \(command) \(code.code) to the Switchboard \(provider.displayName) bot."
        let url = provider == .telegram ? botUsername.map { "https://t.me/\($0)?start=\(code.code)" } : nil
        context.output.result(
            ["code: \(code.code)", "instruction: \(instruction)", url.map { "link: \($0)" }, "expires: \(code.expiresAt)"]
                .compactMap { $0 }.joined(separator: "\n"),
            json: [
                "code": code.code, "instruction": instruction, "url": url.json,
                "expires_at": code.expiresAt.description,
                "expires_in": Int(ChatStore.connectCodeLifetime.seconds),
            ]
        )
    }
}
