import Authentication
import ChatStore
import Enqueuer
import Foundation
import HTTPServer
import JSON
import Queue

/// `serve`'s API under `/api/v1`: linking and channel connections for signed-in users, the bot-facing
/// linking operations and the queue for services. Every route is in `table`; errors are problem details.
package struct APIRoutes: Sendable {
    let chat: ChatStore
    let authenticator: APIAuthenticator
    /// Where a link token's page is (`links.link_base_url`): a created token's URL is this and the token.
    let linkBaseURL: String?
    let telegramBotUsername: String?
    /// Where failures of the database are told, in full; the client is told only to retry.
    let log: @Sendable (String) -> Void

    static let prefix = "api"

    var store: JobStore { chat.jobs }

    /// Answers a request whose path starts with `/api/`.
    func answer(_ request: ServerRequest) async -> ServerResponse {
        let segments = request.path.split(separator: "/")
        let onPath = Self.table.compactMap { route in route.match(segments).map { (route, $0) } }
        guard let (route, parameters) = onPath.first(where: { $0.0.method == request.method }) else {
            guard !onPath.isEmpty else { return APIProblem.notFound.response }
            let allowed = onPath.map(\.0.method).joined(separator: ", ")
            return APIProblem(
                405, "method_not_allowed", "this path answers \(allowed)", headers: ["Allow": allowed]
            ).response
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
            return APIProblem.unavailable("the request could not be served now; retry").response
        }
    }

    /// Every route, in the order they are matched.
    package static let table: [APIRoute] = linkingRoutes + connectionRoutes + serviceRoutes + queueRoutes + [document]

    /// The OpenAPI 3.1 document of every route (`openapi.json` beside this file, compiled in).
    package static let openAPIDocument = Data(PackageResources.openapi_json)

    private static let document = APIRoute(method: "GET", path: "/api/v1/openapi.json", access: .anyone) { _, _ in
        APIAnswer(status: 200, body: .raw(openAPIDocument))
    }
}
