import ChatStore
import Enqueuer
import Foundation
import Queue

/// The server or user a link command names, and the options that name it.
struct LinkSubject {
    static let platform = Option<Provider>.choice("platform", "the chat platform").required
    static let serverID = Option<String>.text("server-id", "X", "the server (guild, group, workspace)")
    static let userID = Option<String>.text("user-id", "Y", "the user (their direct messages)")
    static let type = Option<LinkType>.choice("type", "a server link or a user link")
    /// The account a link belongs to.
    static let account = Option<String>.text("account", "A", "the account that owns the links").required

    static let specs = [Self.platform.spec, Self.serverID.spec, Self.userID.spec]

    let type: LinkType
    let platform: String
    let id: String

    init(_ arguments: Arguments, requireType: Bool) throws {
        platform = try arguments.required(Self.platform).rawValue
        switch (try arguments.value(Self.serverID), try arguments.value(Self.userID)) {
        case (let server?, nil): (type, id) = (.server, server)
        case (nil, let user?): (type, id) = (.user, user)
        default: throw CommandFailure.usage("give exactly one of --server-id and --user-id")
        }
        let stated = try arguments.value(Self.type)
        if requireType && stated == nil {
            throw CommandFailure.usage("--type is required: server or user")
        }
        if let stated, stated != type {
            throw CommandFailure.usage(
                "--type \(stated.rawValue) does not match --\(type == .server ? "server" : "user")-id")
        }
    }
}
