import Foundation
import Queue
import Workers

/// The chat settings given on the command line, which win over the configuration file.
struct ChatOverrides {
    /// Whether unlinked chats are answered.
    enum LinkPolicy: String, CaseIterable, Sendable {
        case required, open
    }

    static let agent = Option<ChatConfiguration.Agent>(
        spec: OptionSpec(
            name: "agent", value: "echo|echo-stream|URL",
            help:
                "who answers turns: the built-in echo, the echo streamed word by word, or an HTTP endpoint "
                + "(default: config, else echo)")
    ) { text in
        if text == "echo" { return .echo }
        if text == "echo-stream" { return .echoStream() }
        guard SettingRules.urlProblem(text) == nil else {
            throw CommandFailure.usage(
                "--agent must be echo, echo-stream or an http(s) URL, got \"\(text.prefix(64))\"")
        }
        return .endpoint(text)
    }
    static let links = Option<LinkPolicy>.choice(
        "links", "answer only linked chats, or route every chat to --default-owner")
    static let defaultOwner = Option<String>.text("default-owner", "A", "the owner of every chat with --links open")
    static let linkBase = Option<String>.text(
        "link-base", "URL", "tell unlinked chats to open URL followed by a link token")
    static let localReplies = Option<String>.text(
        "local-replies", "FILE|-", "write replies as JSON lines to FILE (- for stdout) instead of sending them"
    )

    static let specs = [
        Self.agent.spec, Self.links.spec, Self.defaultOwner.spec, Self.linkBase.spec, Self.localReplies.spec,
    ]

    var agent: ChatConfiguration.Agent?
    var links: ChatConfiguration.Links?
    var outbound: ChatConfiguration.Outbound?

    init(_ arguments: Arguments) throws {
        agent = try arguments.value(Self.agent)
        let linkBase = try arguments.value(Self.linkBase)
        switch try arguments.value(Self.links) {
        case nil:
            links = linkBase.map { .required(linkBaseURL: $0) }
        case .required:
            links = .required(linkBaseURL: linkBase)
        case .open:
            guard let owner = try arguments.value(Self.defaultOwner) else {
                throw CommandFailure.usage("--links open needs --default-owner")
            }
            links = .open(defaultOwner: owner)
        }
        outbound = try arguments.value(Self.localReplies).map { .local(path: $0 == "-" ? nil : $0) }
    }

    func apply(to configuration: inout ChatConfiguration) {
        if let agent { configuration.agent = agent }
        if let links { configuration.links = links }
        if let outbound { configuration.outbound = outbound }
    }
}
