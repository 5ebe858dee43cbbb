import ChatStore
import Enqueuer
import Foundation
import JSON
import Queue

/// Channel connections, for signed-in users: how each provider connects, codes, and their connections.
extension APIRoutes {
    static let connectionRoutes: [APIRoute] = [
        APIRoute(method: "GET", path: "/api/v1/connections/providers", access: .user) { routes, _ in
            let providers = Provider.allCases.map { provider -> JSONObject in
                [
                    "provider": provider.rawValue, "name": provider.displayName,
                    "method": routes.deepLinks(provider) ? "deep_link" : "code",
                ]
            }
            return .ok(["providers": providers] as JSONObject)
        },
        APIRoute(method: "POST", path: "/api/v1/connections/{provider}/codes", access: .user) { routes, call in
            let provider = call.provider()
            let code = try await routes.chat.requestConnectCode(owner: call.account, provider: provider.rawValue)
            let link = routes.telegramBotUsername.flatMap { provider.inbound.deepLink(bot: $0, code: code.code) }
            return .created(
                [
                    "code": code.code,
                    "instruction":
                        "Send \(LinkCommand.command(for: provider)) \(code.code) to the \(provider.displayName) bot.",
                    "url": link, "expires_at": code.expiresAt.description,
                    "expires_in": Int(ChatStore.connectCodeLifetime.seconds),
                ] as JSONObject)
        },
        APIRoute(method: "GET", path: "/api/v1/connections", access: .user) { routes, call in
            let connections = try await routes.chat.connections(owner: call.account).map(\.fields)
            return .ok(["connections": connections] as JSONObject)
        },
        APIRoute(method: "DELETE", path: "/api/v1/connections/{id}", access: .user) { routes, call in
            try await routes.chat.revokeConnection(id: call.id(), owner: call.account)
            return .noContent
        },
    ]

    /// Whether a code for `provider` comes with a link that opens the chat with it filled in.
    private func deepLinks(_ provider: Provider) -> Bool {
        telegramBotUsername.flatMap { provider.inbound.deepLink(bot: $0, code: "x") } != nil
    }
}
