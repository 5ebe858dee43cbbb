import Enqueuer
import Foundation

/// AWS Signature Version 4 for S3 (the "s3" service), in both forms: an `Authorization` header for the
/// requests Switchboard sends, and a query string for a link someone else fetches (a presigned GET).
///
/// Pure: the time is passed in, and nothing is sent. HMAC-SHA256 and SHA-256 come from libcrypto through
/// `WebhookCrypto`. The secret key is held as the bytes of `AWS4` + the key, the first HMAC's key, and is
/// never part of a description.
struct S3Signer: Sendable {
    /// What a request is signed over.
    struct Request {
        var method: String
        /// `host` or `host:port`, as the request's `Host` header carries it.
        var host: String
        /// The path, not yet percent-encoded (`/bucket/prefix/ab/abcd...`).
        var path: String
        /// Query parameters, not yet percent-encoded.
        var query: [(name: String, value: String)] = []
        /// Headers besides `host`, all of them signed.
        var headers: [(name: String, value: String)] = []
    }

    let accessKeyID: String
    let region: String
    private let secretKeyBytes: Data

    init(accessKeyID: String, secretAccessKey: String, region: String) {
        self.accessKeyID = accessKeyID
        self.region = region
        secretKeyBytes = Data("AWS4\(secretAccessKey)".utf8)
    }

    /// The header every signed request carries: the hex SHA-256 of the payload it sends.
    static let contentHashHeader = "x-amz-content-sha256"

    /// The headers that sign `request` with `payloadHash` (the hex SHA-256 of its body) at `now`:
    /// `x-amz-date`, `x-amz-content-sha256` and `Authorization`, to send with the request's own.
    func headers(for request: Request, payloadHash: String, now: Date) -> [(name: String, value: String)] {
        let time = Self.timestamp(now)
        var signed = request
        signed.headers += [(Self.contentHashHeader, payloadHash), ("x-amz-date", time)]
        let (canonical, signedHeaders) = Self.canonicalRequest(signed, payloadHash: payloadHash)
        let signature = signature(of: canonical, at: time)
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope(time)), SignedHeaders=\(signedHeaders), "
            + "Signature=\(signature)"
        return [(Self.contentHashHeader, payloadHash), ("x-amz-date", time), ("Authorization", authorization)]
    }

    /// The query string of a presigned `request` (a GET whose only signed header is `host`), valid from
    /// `now` for `lifetime` (at most seven days, S3's limit), ending with `X-Amz-Signature`.
    func presignedQuery(for request: Request, now: Date, lifetime: Duration) -> String {
        let time = Self.timestamp(now)
        var signed = request
        signed.headers = []
        signed.query += [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(accessKeyID)/\(scope(time))"),
            ("X-Amz-Date", time), ("X-Amz-Expires", String(lifetime.components.seconds)),
            ("X-Amz-SignedHeaders", "host"),
        ]
        let (canonical, _) = Self.canonicalRequest(signed, payloadHash: "UNSIGNED-PAYLOAD")
        return Self.canonicalQuery(signed.query) + "&X-Amz-Signature=" + signature(of: canonical, at: time)
    }

    /// `date/region/s3/aws4_request` for the day of `time`.
    private func scope(_ time: String) -> String {
        "\(time.prefix(8))/\(region)/s3/aws4_request"
    }

    /// The hex signature of `canonicalRequest` made at `time`, with the key derived for its day.
    private func signature(of canonicalRequest: String, at time: String) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256", time, scope(time), WebhookCrypto.hex(WebhookCrypto.sha256(Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = secretKeyBytes
        for part in [String(time.prefix(8)), region, "s3", "aws4_request"] {
            key = WebhookCrypto.hmacSHA256(key: key, Data(part.utf8))
        }
        return WebhookCrypto.hex(WebhookCrypto.hmacSHA256(key: key, Data(stringToSign.utf8)))
    }

    /// The canonical request and the list of signed header names.
    private static func canonicalRequest(_ request: Request, payloadHash: String) -> (String, String) {
        let headers = ([("host", request.host)] + request.headers.map { ($0.name.lowercased(), $0.value) })
            .map { (name: $0.0, value: $0.1.trimmingCharacters(in: .whitespaces)) }
            .sorted { $0.name < $1.name }
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonical = [
            request.method, encode(request.path, keepingSlashes: true), canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(), signedHeaders, payloadHash,
        ].joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    /// The parameters percent-encoded and sorted by name, as they are signed and sent.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (encode($0.name), encode($0.value)) }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// `text` with every byte but RFC 3986's unreserved characters (and `/` where kept) as `%XX`, upper-case,
    /// as SigV4 requires: the form a path or parameter is both signed and sent in.
    static func encode(_ text: String, keepingSlashes: Bool = false) -> String {
        let allowed =
            keepingSlashes
            ? AttachmentLinks.unreserved.union(CharacterSet(charactersIn: "/")) : AttachmentLinks.unreserved
        var encoded = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, allowed.contains(scalar) {
                encoded.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 {
                    encoded += String(format: "%%%02X", byte)
                }
            }
        }
        return encoded
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
            parts.tm_min, parts.tm_sec)
    }
}
