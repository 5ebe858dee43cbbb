import ChatStore
import Enqueuer
import Foundation
import HTTPServer
import JSON

/// One route of the API: its method and path template (`/api/v1/links/{id}`), who may call it, and what
/// answers it. The table of routes is the one list the server dispatches on and the OpenAPI test checks.
package struct APIRoute: Sendable {
    package let method: String
    package let path: String
    let access: APIAccess
    let answer: @Sendable (APIRoutes, APICall) async throws -> APIAnswer

    /// The values of the template's `{name}` segments in `segments`; nil when the path is not this route's. A parameter is checked for its shape before anything is read: a token must look like
    /// one, an id must be a positive whole number, a provider one Switchboard knows; anything else is not
    /// this route (answered 404 without a query).
    func match(_ segments: [Substring]) -> [String: String]? {
        let template = path.split(separator: "/")
        guard template.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(template, segments) {
            guard expected.hasPrefix("{") else {
                guard expected == actual else { return nil }
                continue
            }
            let name = String(expected.dropFirst().dropLast())
            let value = String(actual)
            guard Self.hasShape(value, of: name) else { return nil }
            parameters[name] = value
        }
        return parameters
    }

    private static func hasShape(_ value: String, of parameter: String) -> Bool {
        switch parameter {
        case "token": SecretToken.isWellFormed(value)
        case "id": value.utf8.count <= 18 && value.utf8.allSatisfy { (48...57).contains($0) } && Int64(value) ?? 0 > 0
        case "provider": Provider(rawValue: value) != nil
        default: false
        }
    }
}

/// A request matched to its route, with its caller and the path's parameters.
struct APICall: Sendable {
    let request: ServerRequest
    let caller: APICaller?
    let parameters: [String: String]

    /// The account of a user's call.
    var account: String {
        if case .user(let account) = caller { account } else { "" }
    }

    func id() -> Int64 { Int64(parameters["id"] ?? "") ?? 0 }
    func token() -> String { parameters["token"] ?? "" }
    func provider() -> Provider { Provider(rawValue: parameters["provider"] ?? "") ?? .telegram }

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

/// What a route answers: a status and a JSON body (none for 204).
struct APIAnswer: Sendable {
    enum Body: Sendable {
        case json(JSONValue)
        /// JSON already serialised (the OpenAPI document).
        case raw(Data)
    }

    let status: Int
    let body: Body?

    static func ok(_ body: some JSONRepresentable) -> APIAnswer { APIAnswer(status: 200, body: .json(body.json)) }
    static func created(_ body: some JSONRepresentable) -> APIAnswer { APIAnswer(status: 201, body: .json(body.json)) }
    static let noContent = APIAnswer(status: 204, body: nil)

    var response: ServerResponse {
        switch body {
        case nil: ServerResponse(status: status)
        case .json(let value): .json(status, value.serialized)
        case .raw(let data): .json(status, data)
        }
    }
}
