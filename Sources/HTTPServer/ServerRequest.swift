import Foundation

/// A request as the server received it, whole: its body is read to the end (within the size cap) before
/// a handler sees it.
package struct ServerRequest: Sendable {
    package var method: String
    /// The path, without the query string.
    package var path: String
    /// The query's parameters, percent-decoded.
    package var query: [String: String]
    /// Header names in lower case; a header sent more than once has its last value here.
    package var headers: [String: String]
    /// The names (lower case) of the headers sent more than once: where one value must be the only one
    /// (a credential), a repeat is refused rather than guessed at.
    package var repeatedHeaders: Set<String> = []
    package var body: Data
    /// The parts of a `multipart/form-data` body, read by libmicrohttpd's post processor; nil for any
    /// other body.
    package var formParts: [ReceivedFormPart]?
    /// The address at the other end of the connection (a reverse proxy's, when there is one); nil when
    /// the server could not tell.
    package var clientAddress: IPAddress?

    package init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
        body: Data = Data(), clientAddress: IPAddress? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.clientAddress = clientAddress
    }
}
