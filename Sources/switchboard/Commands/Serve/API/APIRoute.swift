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
    package let access: APIAccess
    let answer: @Sendable (APIRoutes, APICall) async throws -> APIAnswer

    /// The values of the template's `{name}` segments in `segments`; nil when the path is not this route's.
    /// A parameter is checked for its shape before anything is read: a token must look like one, an id
    /// must be a positive whole number, a provider one Switchboard knows; anything else is not this route
    /// (answered 404 without a query).
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
