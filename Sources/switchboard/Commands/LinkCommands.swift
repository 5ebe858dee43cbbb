import Enqueuer
import Foundation
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
        let links = AccountLinks(store: try await context.openStore(.create))
        let code = try await links.requestConnectCode(owner: owner, provider: provider.rawValue)
        let command = provider == .telegram ? "/start" : "/connect"
        let instruction = "Send \(command) \(code.code) to the Switchboard \(provider.displayName) bot."
        let url = provider == .telegram ? botUsername.map { "https://t.me/\($0)?start=\(code.code)" } : nil
        context.output.result(
            ["code: \(code.code)", "instruction: \(instruction)", url.map { "link: \($0)" }, "expires: \(code.expiresAt)"]
                .compactMap { $0 }.joined(separator: "\n"),
            json: [
                "code": code.code, "instruction": instruction, "url": url ?? NSNull(),
                "expires_at": code.expiresAt.description,
                "expires_in": Int(AccountLinks.connectCodeLifetime.seconds),
            ]
        )
    }
}

/// `switchboard link token`.
struct LinkTokenCommand: Command {
    static let name = "link token"
    static let summary = "Issue a one-time token that links a server or user to the account that confirms it"
    static let synopsis = ["link token --type server|user --platform P (--server-id X | --user-id Y) [--link-base URL]"]
    static let options: [OptionSpec] = [
        .value("type", "server|user", "link a whole server, or one user's direct messages"),
        .value("platform", "P", "the chat platform"),
        .value("server-id", "X", "the server (guild, group, workspace) to link"),
        .value("user-id", "Y", "the user to link"),
        .value("link-base", "URL", "print the page URL: URL followed by the token"),
    ]
    static let examples = [
        "switchboard link token --type server --platform discord --server-id 81384788765712384",
        "switchboard link token --type user --platform telegram --user-id 1111111 --link-base https://example.com/link/",
    ]

    let subject: LinkSubject
    let linkBase: String?

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        subject = try LinkSubject(arguments, requireType: true)
        linkBase = arguments.string("link-base")
    }

    func run(_ context: CommandContext) async throws {
        let links = AccountLinks(store: try await context.openStore(.create))
        let token = try await links.createLinkToken(type: subject.type, platform: subject.platform, subject: subject.id)
        let url = linkBase.map { $0 + token.token }
        context.output.result(
            ["token: \(token.token)", url.map { "url: \($0)" }, "expires: \(token.expiresAt)"].compactMap { $0 }
                .joined(separator: "\n"),
            json: ["token": token.token, "url": url ?? NSNull(), "expires_at": token.expiresAt.description]
        )
    }
}

/// `switchboard link status`.
struct LinkStatusCommand: Command {
    static let name = "link status"
    static let summary = "Say whether a link token is pending, linked, expired or superseded"
    static let synopsis = ["link status TOKEN"]
    static let options: [OptionSpec] = []
    static let examples = ["switchboard link status 3q2-EXAMPLE-TOKEN"]

    let token: String

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else { throw CommandFailure.usage("give exactly one TOKEN") }
        token = arguments.positionals[0]
    }

    func run(_ context: CommandContext) async throws {
        let status = try await AccountLinks(store: try await context.openStore(.readOnly)).linkTokenStatus(token)
        context.output.result(status.rawValue, json: ["status": status.rawValue])
    }
}

/// `switchboard link confirm`.
struct LinkConfirmCommand: Command {
    static let name = "link confirm"
    static let summary = "Use a link token to link its server or user to an account"
    static let synopsis = ["link confirm TOKEN --account A [--type server|user]"]
    static let options: [OptionSpec] = [
        .value("account", "A", "the account that takes the link"),
        .value("type", "server|user", "refuse a token of the other flow"),
    ]
    static let examples = ["switchboard link confirm 3q2-EXAMPLE-TOKEN --account acct_42"]

    let token: String
    let account: String
    let expecting: LinkType?

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else { throw CommandFailure.usage("give exactly one TOKEN") }
        token = arguments.positionals[0]
        guard let account = arguments.string("account"), !account.isEmpty else {
            throw CommandFailure.usage("--account is required")
        }
        self.account = account
        expecting = try linkTypeOption(arguments)
    }

    func run(_ context: CommandContext) async throws {
        let links = AccountLinks(store: try await context.openStore(.existing))
        let link = try await links.confirmLinkToken(token, account: account, expecting: expecting)
        LinkPrinter.print([link], output: context.output)
    }
}

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
        let links = try await AccountLinks(store: try await context.openStore(.readOnly)).links(account: account)
        LinkPrinter.print(links, output: context.output)
    }
}

/// `switchboard link delete`.
struct LinkDeleteCommand: Command {
    static let name = "link delete"
    static let summary = "Delete one of an account's links"
    static let synopsis = ["link delete ID --account A"]
    static let options: [OptionSpec] = [.value("account", "A", "the account that owns the link")]
    static let examples = ["switchboard link delete 7 --account acct_42"]

    let id: String
    let account: String

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count == 1 else { throw CommandFailure.usage("give exactly one link ID") }
        id = arguments.positionals[0]
        guard let account = arguments.string("account"), !account.isEmpty else {
            throw CommandFailure.usage("--account is required")
        }
        self.account = account
    }

    func run(_ context: CommandContext) async throws {
        // Whatever is not a link id (an injection attempt, a path) names no link.
        guard let id = Int64(id), id > 0 else { throw LinkError(.notFound, "no link with id \(self.id.prefix(64))") }
        try await AccountLinks(store: try await context.openStore(.existing)).deleteLink(id: id, account: account)
        context.output.result("deleted link \(id)", json: ["deleted": id])
    }
}

/// `switchboard link resolve`.
struct LinkResolveCommand: Command {
    static let name = "link resolve"
    static let summary = "Say which account a server or user is linked to"
    static let synopsis = ["link resolve --platform P (--server-id X | --user-id Y)"]
    static let options: [OptionSpec] = [
        .value("platform", "P", "the chat platform"),
        .value("server-id", "X", "the server"),
        .value("user-id", "Y", "the user"),
    ]
    static let examples = ["switchboard link resolve --platform discord --server-id 81384788765712384"]

    let subject: LinkSubject

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
        subject = try LinkSubject(arguments, requireType: false)
    }

    func run(_ context: CommandContext) async throws {
        let links = AccountLinks(store: try await context.openStore(.readOnly))
        let link = try await links.link(type: subject.type, platform: subject.platform, subject: subject.id)
        context.output.result(
            link.map { "linked to \($0.account) (link \($0.id))" } ?? "not linked",
            json: ["linked": link != nil, "account": link?.account ?? NSNull(), "link_id": link?.id ?? NSNull()]
        )
    }
}

/// The server or user a link command names.
struct LinkSubject {
    let type: LinkType
    let platform: String
    let id: String

    init(_ arguments: Arguments, requireType: Bool) throws {
        platform = try providerOption(arguments, name: "platform").rawValue
        let server = arguments.string("server-id")
        let user = arguments.string("user-id")
        switch (server, user) {
        case (let server?, nil) where !server.isEmpty: (type, id) = (.server, server)
        case (nil, let user?) where !user.isEmpty: (type, id) = (.user, user)
        default: throw CommandFailure.usage("give exactly one of --server-id and --user-id")
        }
        let stated = try linkTypeOption(arguments)
        if requireType && stated == nil {
            throw CommandFailure.usage("--type is required: server or user")
        }
        if let stated, stated != type {
            throw CommandFailure.usage("--type \(stated.rawValue) does not match --\(type == .server ? "server" : "user")-id")
        }
    }
}

enum LinkPrinter {
    static func print(_ links: [PlatformLink], output: Output) {
        if output.json {
            for link in links {
                output.result("", json: [
                    "id": link.id, "type": link.type.rawValue, "platform": link.platform, "subject": link.subject,
                    "account": link.account, "created_at": link.createdAt.description,
                ])
            }
            return
        }
        let rows = links.map { [String($0.id), $0.type.rawValue, $0.platform, $0.subject, $0.account, $0.createdAt.description] }
        output.result(TextTable(header: ["id", "type", "platform", "subject", "account", "created"], rows: rows).rendered, json: [:])
    }
}

/// A provider option, checked against the known providers.
func providerOption(_ arguments: Arguments, name: String = "provider") throws -> Provider {
    guard let value = arguments.string(name) else { throw CommandFailure.usage("--\(name) is required") }
    guard let provider = Provider(rawValue: value) else {
        throw CommandFailure.usage(
            "--\(name) must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(value)\""
        )
    }
    return provider
}

/// The optional `--type server|user`.
func linkTypeOption(_ arguments: Arguments) throws -> LinkType? {
    try arguments.string("type").map { value in
        guard let type = LinkType(rawValue: value) else {
            throw CommandFailure.usage("--type must be server or user, got \"\(value)\"")
        }
        return type
    }
}
