import Authentication
import ChatStore
import Enqueuer
import Foundation
import HTTPServer
import JSON
import Queue

/// `serve`'s API under `/api/v1`: linking and channel connections for signed-in users, the bot-facing
/// linking operations and the queue for services. Every route is in `table`; errors are problem details.
struct APIRoutes: Sendable {
    let chat: ChatStore
    let authenticator: APIAuthenticator
    /// Where a link token's page is (`links.link_base_url`): a created token's URL is this and the token.
    let linkBaseURL: String?
    let telegramBotUsername: String?
    /// Where failures of the database are told, in full; the client is told only to retry.
    let log: @Sendable (String) -> Void

    static let prefix = "api"
    static let version = "v1"

    var store: JobStore { chat.jobs }

    /// Answers a request whose path starts with `/api/`.
    func answer(_ request: ServerRequest) async -> ServerResponse {
        let segments = request.path.split(separator: "/")
        var matched: (route: APIRoute, parameters: [String: String])?
        for route in Self.table {
            if let parameters = route.match(request.method, segments) {
                matched = (route, parameters)
                break
            }
        }
        guard let (route, parameters) = matched else {
            return APIProblem.notFound.response
        }
        do {
            let caller = try await authenticator.caller(of: request, for: route.access)
            return try await route.answer(self, APICall(request: request, caller: caller, parameters: parameters))
                .response
        } catch {
            if let problem = APIProblem.refusal(error) {
                return problem.response
            }
            log("API \(route.method) \(route.path) failed: \(error)")
            var problem = APIProblem(503, "unavailable", "the request could not be served now; retry")
            problem.headers["Retry-After"] = "1"
            return problem.response
        }
    }

    /// Every route, in the order they are matched.
    static let table: [APIRoute] = linkingRoutes + connectionRoutes + serviceRoutes + queueRoutes
}
