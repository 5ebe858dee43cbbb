import ChatStore
import Enqueuer
import Foundation
import JSON
import Queue

/// Linking, for signed-in users and for the bot service.
extension APIRoutes {
    static let linkingRoutes: [APIRoute] = [
        APIRoute(method: "GET", path: "/api/v1/link-tokens/{token}", access: .user) { routes, call in
            let info = try await routes.chat.linkTokenInfo(call.token())
            guard info.status == .pending else {
                throw LinkError(.expiredOrUsed, "this link token is \(info.status.rawValue)")
            }
            return .ok(
                [
                    "type": info.type.rawValue, "platform": info.platform, "server_name": info.serverName,
                    "status": info.status.rawValue, "expires_at": info.expiresAt.description,
                ] as JSONObject)
        },
        APIRoute(method: "POST", path: "/api/v1/link-tokens/{token}/confirm", access: .user) { routes, call in
            .ok(
                fields(
                    try await routes.chat.confirmLinkToken(call.token(), account: call.account, expecting: .server)))
        },
        APIRoute(method: "POST", path: "/api/v1/user-link-tokens/{token}/confirm", access: .user) { routes, call in
            .ok(fields(try await routes.chat.confirmLinkToken(call.token(), account: call.account, expecting: .user)))
        },
        APIRoute(method: "GET", path: "/api/v1/links", access: .user) { routes, call in
            try await routes.links(of: call.account, type: .server)
        },
        APIRoute(method: "DELETE", path: "/api/v1/links/{id}", access: .user) { routes, call in
            try await routes.chat.deleteLink(id: call.id(), account: call.account, type: .server)
            return .noContent
        },
        APIRoute(method: "GET", path: "/api/v1/user-links", access: .user) { routes, call in
            try await routes.links(of: call.account, type: .user)
        },
        APIRoute(method: "DELETE", path: "/api/v1/user-links/{id}", access: .user) { routes, call in
            try await routes.chat.deleteLink(id: call.id(), account: call.account, type: .user)
            return .noContent
        },
    ]

    static let serviceRoutes: [APIRoute] = [
        APIRoute(method: "POST", path: "/api/v1/link-tokens", access: .service(.links)) { routes, call in
            let body = try call.body()
            try body.allowOnly(["type", "platform", "subject", "server_name"])
            guard let type = LinkType(rawValue: try body.string("type")) else {
                throw body.error("type", "must be \"server\" or \"user\"")
            }
            let token = try await routes.chat.createLinkToken(
                type: type, platform: try platform(body.string("platform")), subject: try body.string("subject"),
                serverName: try body.optionalString("server_name"))
            return .created(
                [
                    "token": token.token, "url": routes.linkBaseURL.map { $0 + token.token },
                    "expires_at": token.expiresAt.description,
                ] as JSONObject)
        },
        APIRoute(method: "GET", path: "/api/v1/link-tokens/{token}/status", access: .service(.links)) {
            routes, call in
            .ok(["status": try await routes.chat.linkTokenStatus(call.token()).rawValue] as JSONObject)
        },
        APIRoute(method: "GET", path: "/api/v1/owners", access: .service(.links)) { routes, call in
            let query = call.request.query
            guard let type = query["type"].flatMap(LinkType.init(rawValue:)) else {
                throw APIProblem.malformed("the query's type must be server or user")
            }
            guard let name = query["platform"], let subject = query["id"], !subject.isEmpty else {
                throw APIProblem.malformed("the query needs platform and id (the server's or the user's)")
            }
            let link = try await routes.chat.link(type: type, platform: try platform(name), subject: subject)
            return .ok(["linked": link != nil, "account": link?.account] as JSONObject)
        },
    ]

    /// A platform Switchboard serves: a link for any other could never be resolved.
    private static func platform(_ name: String) throws(APIProblem) -> String {
        guard let provider = Provider(rawValue: name) else {
            throw APIProblem.malformed(
                "platform must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return provider.rawValue
    }

    private func links(of account: String, type: LinkType) async throws -> APIAnswer {
        let links = try await chat.links(account: account).filter { $0.type == type }
        return .ok(["links": links.map(Self.fields)] as JSONObject)
    }

    static func fields(_ link: PlatformLink) -> JSONObject {
        [
            "id": link.id, "type": link.type.rawValue, "platform": link.platform, "subject": link.subject,
            "created_at": link.createdAt.description,
        ]
    }
}
