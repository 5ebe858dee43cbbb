import Foundation

/// An HTTP request to a provider or an agent.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case patch = "PATCH"
        case delete = "DELETE"
    }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// A `multipart/form-data` body, sent (by POST) instead of `body` when set.
    public var form: [FormPart]?
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    /// Bytes of the response body kept; the rest is dropped. No provider answer Switchboard reads is
    /// near the default.
    public var maxResponseBytes = 1 << 20
    /// A body larger than `maxResponseBytes` fails the request (`HTTPError.Code.tooLarge`) as soon as it
    /// grows past it, instead of being cut: for a download, whose bytes are only any use whole.
    public var refusesLargerBodies = false
    /// Told each piece of the response body as it arrives, with the response's headers (names in lower
    /// case), on the client's thread: for a body read while it streams. It must not block.
    public var onBody: (@Sendable (_ headers: [String: String], _ piece: Data) -> Void)?

    public init(
        _ method: Method, _ url: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        connectTimeout: Duration = .seconds(5), totalTimeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    /// A POST of a JSON body.
    public static func json(_ url: String, _ body: Data, headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(.post, url, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: body)
    }

    /// A POST of a `multipart/form-data` body made of `parts`.
    public static func form(_ url: String, _ parts: [FormPart], headers: [(name: String, value: String)] = [])
        -> HTTPRequest
    {
        var request = HTTPRequest(.post, url, headers: headers)
        request.form = parts
        return request
    }
}
