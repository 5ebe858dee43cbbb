import ChatStore
import Enqueuer
import Foundation
import HTTPServer
import JSON

/// A request matched to its route, with its caller and the path's parameters.
struct APICall: Sendable {
    let request: ServerRequest
    let caller: APICaller?
    let parameters: [String: String]

    /// The account of a user's call (a route for users is called only by them).
    var account: String {
        guard case .user(let account) = caller else { preconditionFailure("a user's route called by a service") }
        return account
    }

    /// The path's `{id}`, `{token}` and `{provider}`, which `APIRoute.match` checked: a route that asks for
    /// one its path does not have is a mistake in the table.
    func id() -> Int64 { Int64(parameter("id"))! }
    func token() -> String { parameter("token") }
    func provider() -> Provider { Provider(rawValue: parameter("provider"))! }

    private func parameter(_ name: String) -> String {
        guard let value = parameters[name] else { preconditionFailure("the route's path has no {\(name)}") }
        return value
    }

    /// The request's body as a JSON object's fields.
    /// - Throws: `APIProblem` 415 when it is not sent as JSON, 422 when it is not a JSON object.
    func body() throws(APIProblem) -> JSONFields {
        let type = request.headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
        guard type?.lowercased() == "application/json" else {
            throw APIProblem(415, "unsupported_media_type", "send the body as application/json")
        }
        guard let value = try? JSONParser.parse(request.body), value.objectValue != nil,
            let fields = try? JSONFields(root: value)
        else {
            throw APIProblem.malformed("the body is not a JSON object")
        }
        return fields
    }
}
