import Foundation

/// What a handler answers.
package struct ServerResponse: Sendable {
    package var status: Int
    package var headers: [String: String]
    package var body: Data
    /// A file sent as the body instead of `body`, read as it is sent.
    package var file: ResponseFile?
    /// Close the connection without answering (a test server's dropped request).
    package var drop = false

    package init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body, with its content type.
    package static func json(_ status: Int, _ body: Data) -> ServerResponse {
        ServerResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// A plain-text body, with its content type.
    package static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8")
        -> ServerResponse
    {
        ServerResponse(status: status, headers: ["Content-Type": contentType], body: Data(text.utf8))
    }

    /// Closes the connection without an answer.
    package static let dropped: ServerResponse = {
        var response = ServerResponse(status: 0)
        response.drop = true
        return response
    }()
}
