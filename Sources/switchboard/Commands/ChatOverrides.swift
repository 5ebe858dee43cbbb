import Foundation
import Queue
import Workers

/// The chat settings given on the command line, which win over the configuration file.
struct ChatOverrides {
    var agent: ChatConfiguration.Agent?
    var links: ChatConfiguration.Links?
    var outbound: ChatConfiguration.Outbound?

    init(_ arguments: Arguments) throws {
        switch arguments.string("agent") {
        case nil: agent = nil
        case "echo": agent = .echo
        case let url? where url.hasPrefix("http://") || url.hasPrefix("https://"):
            agent = .http(url: url, connectTimeout: .seconds(2), timeout: .seconds(30))
        case let other?: throw CommandFailure.usage("--agent must be echo or an http(s) URL, got \"\(other)\"")
        }
        let owner = arguments.string("default-owner")
        switch arguments.string("links") {
        case nil:
            links = arguments.string("link-base").map { .required(linkBaseURL: $0) }
        case "required":
            links = .required(linkBaseURL: arguments.string("link-base"))
        case "open":
            guard let owner, !owner.isEmpty else { throw CommandFailure.usage("--links open needs --default-owner") }
            links = .open(defaultOwner: owner)
        case let other?:
            throw CommandFailure.usage("--links must be required or open, got \"\(other)\"")
        }
        outbound = arguments.string("local-replies").map { .local(path: $0 == "-" ? nil : $0) }
    }

    func apply(to configuration: inout ChatConfiguration) {
        if let agent { configuration.agent = agent }
        if let links { configuration.links = links }
        if let outbound { configuration.outbound = outbound }
    }
}
