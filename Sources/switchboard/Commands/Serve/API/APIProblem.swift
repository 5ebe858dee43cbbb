import Authentication
import ChatStore
import Foundation
import HTTPServer
import JSON
import Queue

/// A refusal of an API call, answered as problem details (RFC 9457, `application/problem+json`) with a
/// stable `code` that clients branch on; the `detail` is for people.
struct APIProblem: Error {
    let status: Int
    let code: String
    let detail: String
    /// Extra headers: `Retry-After` on a 429, `WWW-Authenticate` on a 401.
    var headers: [String: String] = [:]

    init(_ status: Int, _ code: String, _ detail: String, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
    }

    var response: ServerResponse {
        let body: JSONObject = [
            "type": "about:blank", "title": Self.title(status), "status": status, "code": code, "detail": detail,
        ]
        var response = ServerResponse(
            status: status, headers: ["Content-Type": "application/problem+json"],
            body: JSONValue.object(body).serialized)
        response.headers.merge(headers) { _, new in new }
        return response
    }

    static let notFound = APIProblem(404, "not_found", "no such route or resource")

    static func unauthenticated(_ detail: String) -> APIProblem {
        APIProblem(401, "unauthenticated", detail, headers: ["WWW-Authenticate": "Bearer"])
    }

    /// The database or a service it depends on cannot serve the request now: the client retries.
    static func unavailable(_ detail: String) -> APIProblem {
        APIProblem(503, "unavailable", detail, headers: ["Retry-After": "1"])
    }

    static func malformed(_ detail: String) -> APIProblem {
        APIProblem(422, "malformed", detail)
    }

    /// The problem an error of the stores stands for; nil for a failure of the database or the server,
    /// which the caller logs and answers 503.
    static func refusal(_ error: any Error) -> APIProblem? {
        switch error {
        case let problem as APIProblem: problem
        case let error as LinkError: APIProblem(error.httpStatus, error.code.description, error.message)
        case let error as APITokenError: APIProblem(error.httpStatus, error.code, error.description)
        case let error as QueueError where error.code == .invalidArgument: APIProblem(422, "malformed", error.message)
        case let error as QueueError where error.code == .notFound: APIProblem(404, "not_found", error.message)
        case let failure as CommandFailure where failure.exitCode == .dataError:
            APIProblem(422, "malformed", failure.message)
        case let error as JSONFieldError:
            APIProblem(422, "malformed", error.path.map { "\"\($0)\" \(error.problem)" } ?? error.problem)
        default: nil
        }
    }

    private static func title(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 410: "Gone"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
