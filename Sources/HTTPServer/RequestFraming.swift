import Foundation

/// Whether a request's headers say unambiguously where its body ends (RFC 9112, section 6).
///
/// libmicrohttpd reads the first `Content-Length` and ignores the others, and lets `Transfer-Encoding`
/// win over `Content-Length`; a proxy in front may choose differently, and then the two disagree about
/// where one request ends and the next begins (request smuggling). Such a request is refused with 400
/// before its body is read, and its connection closed. Repeats of one value are allowed, as RFC 9112
/// allows them.
enum RequestFraming {
    /// Why the framing is ambiguous, for the 400's body; nil when it is not.
    /// - Parameter headers: every header line, names in lower case, repeats kept.
    static func problem(_ headers: [(name: String, value: String)]) -> String? {
        let lengths = Set(
            headers.filter { $0.name == "content-length" }.map { $0.value.trimmingCharacters(in: .whitespaces) })
        if lengths.count > 1 {
            return "the request has Content-Length headers that disagree"
        }
        if !lengths.isEmpty && headers.contains(where: { $0.name == "transfer-encoding" }) {
            return "the request has both Content-Length and Transfer-Encoding"
        }
        return nil
    }
}
