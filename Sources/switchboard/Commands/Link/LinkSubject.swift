import ChatStore
import Enqueuer
import Foundation
import Queue

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
