import Foundation

/// An HTTP request made from fuzz bytes, written much as HTTP writes one, so that seeds read as requests and
/// the fuzzer's mutations stay meaningful:
///
///     POST /webhooks/slack?a=1&b=2
///     x-slack-request-timestamp: 1732262400
///     fuzz-sign: yes
///
///     {"type": "event_callback", ...}
///
/// The first line is the method and the target (the path, then `?` and the query's `name=value` pairs joined
/// by `&`, taken as they are); header lines follow up to an empty line, and the rest is the body. Any bytes
/// make some request: a line without a colon is a header with an empty value, and without an empty line
/// there is no body. Header names are lower-cased, as the server gives them.
///
/// Header names beginning `fuzz-` are directives to the harness, not headers. With the fuzz secrets
/// (`FuzzSecrets`) they let the fuzzer past the checks it cannot forge, to the code that runs after them:
/// `fuzz-sign` signs the request as its provider would, `fuzz-encrypt` encrypts the body as Feishu or
/// WeCom do (`fuzz-encrypt: raw` takes the body as WeCom's whole plaintext, its length field included),
/// and `fuzz-session` makes the request as a signed-in dashboard operator.
struct FuzzRequest {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String: String]
    var body: Data
    var directives: [String: String]

    init(_ data: Data) {
        let bytes = [UInt8](data)
        let newline = UInt8(ascii: "\n")
        var head = bytes[...]
        body = Data()
        if let end = bytes.indices.first(where: {
            $0 + 1 < bytes.count && bytes[$0] == newline && bytes[$0 + 1] == newline
        }) {
            head = bytes[..<end]
            body = Data(bytes[(end + 2)...])
        }
        let lines = head.split(separator: newline, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        let requestLine = lines.first ?? ""
        let space = requestLine.firstIndex(of: " ")
        method = String(requestLine[..<(space ?? requestLine.endIndex)])
        let target = space.map { String(requestLine[requestLine.index(after: $0)...]) } ?? "/"
        let question = target.firstIndex(of: "?")
        path = String(target[..<(question ?? target.endIndex)])
        query = [:]
        if let question {
            for pair in target[target.index(after: question)...].split(separator: "&") {
                let equals = pair.firstIndex(of: "=")
                let name = String(pair[..<(equals ?? pair.endIndex)])
                query[name] = equals.map { String(pair[pair.index(after: $0)...]) } ?? ""
            }
        }
        headers = [:]
        directives = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            let colon = line.firstIndex(of: ":")
            let name = line[..<(colon ?? line.endIndex)].lowercased()
            let value = colon.map { line[line.index(after: $0)...].trimmingCharacters(in: .whitespaces) } ?? ""
            if name.hasPrefix("fuzz-") {
                directives[name] = value
            } else {
                headers[name] = value
            }
        }
    }

    /// Whether the harness was asked to do `directive` (`fuzz-sign`, `fuzz-encrypt`, `fuzz-session`).
    func wants(_ directive: String) -> Bool {
        directives["fuzz-" + directive] != nil
    }
}
