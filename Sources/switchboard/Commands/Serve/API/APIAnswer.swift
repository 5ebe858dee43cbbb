import Foundation
import HTTPServer
import JSON

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
