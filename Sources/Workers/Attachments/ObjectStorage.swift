import Enqueuer
import Foundation
import HTTPClient

/// One bucket of an S3-compatible object store, by path (`ENDPOINT/BUCKET/KEY`): the few calls the
/// attachment store makes, each signed with `S3Signer` and sent through libcurl (`HTTPClient`). It never
/// sends a request again on its own; the turn's retry does.
struct ObjectStorage: Sendable {
    /// An object a listing found.
    struct Listed: Equatable {
        let key: String
        let lastModified: Date
    }

    /// A page of a listing, and the key to list after for the next one (nil at the end).
    struct Page {
        let objects: [Listed]
        let next: String?
    }

    let settings: ObjectStorageSettings
    let signer: S3Signer
    let http: HTTPClient
    let connectTimeout: Duration
    /// `host[:port]` of the endpoint, as signed and sent in `Host`.
    private let host: String
    /// The endpoint's own path, before the bucket's name.
    private let basePath: String

    /// The largest object read back whole; the settings allow no larger file (`max_file_bytes`).
    static let largestObject = 100 << 20
    /// How long one request may take: an upload or download of the largest object included.
    static let requestTimeout = Duration.seconds(120)

    init(_ settings: ObjectStorageSettings, http: HTTPClient, connectTimeout: Duration) {
        self.settings = settings
        signer = S3Signer(
            accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey, region: settings.region)
        self.http = http
        self.connectTimeout = connectTimeout
        let url = URLComponents(string: settings.endpoint)
        let scheme = url?.scheme?.lowercased()
        let defaultPort = scheme == "https" ? 443 : 80
        host = (url?.host ?? "") + (url?.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? "")
        basePath = url?.path ?? ""
    }

    /// Stores `data` under `key`.
    func put(_ key: String, _ data: Data) async throws(ObjectStorageError) {
        let response = try await send(
            .put, key: key, body: data, headers: [("Content-Type", "application/octet-stream")], operation: .put)
        guard response.status == 200 else { throw .refused(.put, response) }
    }

    /// Copies the object under `key` onto itself, which makes its `LastModified` now; false when there is
    /// no such object.
    func touch(_ key: String) async throws(ObjectStorageError) -> Bool {
        let response = try await send(
            .put, key: key,
            headers: [
                ("Content-Type", "application/octet-stream"),
                ("x-amz-copy-source", "/" + S3Signer.encode("\(settings.bucket)/\(key)", keepingSlashes: true)),
                ("x-amz-metadata-directive", "REPLACE"),
            ], operation: .copy)
        if response.status == 404, S3XML.errorCode(response.body) != "NoSuchBucket" { return false }
        // A copy that fails once under way is answered 200 with an error document (S3's CopyObject).
        guard response.status == 200, !response.body.contains(Data("<Error>".utf8)) else {
            throw .refused(.copy, response)
        }
        return true
    }

    /// The object under `key`; nil when there is none.
    func get(_ key: String) async throws(ObjectStorageError) -> Data? {
        let response = try await send(.get, key: key, operation: .get)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw .refused(.get, response) }
        return response.body
    }

    /// Deletes the object under `key` (S3 answers 204 whether or not there was one).
    func delete(_ key: String) async throws(ObjectStorageError) {
        let response = try await send(.delete, key: key, operation: .delete)
        guard response.status == 204 || response.status == 200 || response.status == 404 else {
            throw .refused(.delete, response)
        }
    }

    /// Up to 1000 objects whose keys start with `prefix`, in key order after `startAfter` (ListObjectsV2).
    func list(prefix: String, after startAfter: String?) async throws(ObjectStorageError) -> Page {
        var query = [("list-type", "2"), ("max-keys", "1000"), ("prefix", prefix)]
        if let startAfter { query.append(("start-after", startAfter)) }
        let response = try await send(.get, key: nil, query: query, operation: .list)
        guard response.status == 200 else { throw .refused(.list, response) }
        let document = String(decoding: response.body, as: UTF8.self)
        let objects = S3XML.elements("Contents", in: document).compactMap { contents -> Listed? in
            guard let key = S3XML.text("Key", in: contents),
                let modified = S3XML.text("LastModified", in: contents).flatMap(S3XML.date)
            else { return nil }
            return Listed(key: key, lastModified: modified)
        }
        let truncated = S3XML.text("IsTruncated", in: document) == "true"
        return Page(objects: objects, next: truncated ? objects.last?.key : nil)
    }

    /// A link that fetches the object under `key` without credentials until `now` + `lifetime`.
    func presignedURL(_ key: String, now: Date, lifetime: Duration) -> String {
        let path = objectPath(key)
        let query = signer.presignedQuery(
            for: S3Signer.Request(method: "GET", host: host, path: path), now: now, lifetime: lifetime)
        return endpointOrigin + S3Signer.encode(path, keepingSlashes: true) + "?" + query
    }

    /// `scheme://host[:port]` of the endpoint.
    private var endpointOrigin: String {
        let scheme = URLComponents(string: settings.endpoint)?.scheme?.lowercased() ?? "https"
        return "\(scheme)://\(host)"
    }

    /// `/[base/]bucket[/key]`.
    private func objectPath(_ key: String?) -> String {
        basePath + "/" + settings.bucket + (key.map { "/" + $0 } ?? "")
    }

    private func send(
        _ method: HTTPRequest.Method, key: String?, query: [(name: String, value: String)] = [], body: Data? = nil,
        headers: [(name: String, value: String)] = [], operation: ObjectStorageError.Operation
    ) async throws(ObjectStorageError) -> HTTPResponse {
        let path = objectPath(key)
        let payload = body ?? Data()
        let signed = signer.headers(
            for: S3Signer.Request(method: method.rawValue, host: host, path: path, query: query, headers: headers),
            payloadHash: WebhookCrypto.hex(WebhookCrypto.sha256(payload)), now: Date())
        let queryString = query.isEmpty ? "" : "?" + S3Signer.canonicalQuery(query)
        var request = HTTPRequest(
            method,
            endpointOrigin + S3Signer.encode(path, keepingSlashes: true) + queryString,
            headers: [("Host", host)] + headers + signed, body: method == .put ? payload : nil,
            connectTimeout: connectTimeout, totalTimeout: Self.requestTimeout)
        request.maxResponseBytes = operation == .get ? Self.largestObject : 1 << 20
        request.refusesLargerBodies = operation == .get
        do {
            return try await http.send(request)
        } catch {
            throw .unreachable(operation, error)
        }
    }
}

/// Why a call to the object store failed: no answer, or an answer refusing it, with S3's error code. Its
/// `failure` says whether another attempt may pass, and which setting to check when it would not.
enum ObjectStorageError: Error, Equatable {
    enum Operation: String, Sendable {
        case put = "PUT"
        case copy = "PUT (copy)"
        case get = "GET"
        case delete = "DELETE"
        case list = "GET (list)"
    }

    case unreachable(Operation, HTTPError)
    case answered(Operation, status: Int, code: String?)

    /// The error for `response`, with the `Code` of S3's error document where it has one.
    static func refused(_ operation: Operation, _ response: HTTPResponse) -> ObjectStorageError {
        .answered(operation, status: response.status, code: S3XML.errorCode(response.body))
    }

    /// As the turn sees it: the network, a 5xx, 429 or a throttling code may pass; a refusal is the
    /// configuration's, named by its setting.
    var failure: AttachmentFailure {
        switch self {
        case .unreachable(let operation, let error):
            return .transient("object storage: \(operation.rawValue) got no answer (\(error.code))")
        case .answered(let operation, let status, let code):
            let said =
                "object storage answered \(operation.rawValue) with HTTP \(status)" + (code.map { " \($0)" } ?? "")
            if status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout" {
                return .transient(said)
            }
            return .unreadable(said + ": check attachments.s3." + Self.setting(status: status, code: code))
        }
    }

    /// The setting a refusal points at.
    private static func setting(status: Int, code: String?) -> String {
        switch code {
        case "SignatureDoesNotMatch": "secret_access_key"
        case "InvalidAccessKeyId", "AccessDenied", "InvalidToken": "access_key_id (and what it may do in the bucket)"
        case "NoSuchBucket", "InvalidBucketName": "bucket"
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException": "region"
        default: status == 301 || status == 307 ? "region and endpoint" : "endpoint, bucket and keys"
        }
    }
}

/// What Switchboard reads of S3's XML answers: elements by name, their text with XML's five entities
/// decoded. Enough for listings and error documents, whose shape S3 fixes; not a general XML reader.
enum S3XML {
    /// The contents of each `<name>...</name>` in `text`, in order.
    static func elements(_ name: String, in text: String) -> [Substring] {
        var found: [Substring] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// The decoded text of the first `<name>` in `text`.
    static func text(_ name: String, in text: some StringProtocol) -> String? {
        elements(name, in: String(text)).first.map { raw in
            String(raw).replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
                .replacing("&apos;", with: "'").replacing("&amp;", with: "&")
        }
    }

    /// The `Code` of an error document (`SignatureDoesNotMatch`), from its first 4 KB.
    static func errorCode(_ body: Data) -> String? {
        text("Code", in: String(decoding: body.prefix(4096), as: UTF8.self))
    }

    /// An ISO 8601 time as S3 writes `LastModified` (`2026-05-20T10:00:00.000Z`), with or without the
    /// fraction.
    static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }
}
