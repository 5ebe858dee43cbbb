import Foundation
import JSON

/// Where fetched files are kept for a fleet (`attachments.s3`): a bucket of an S3-compatible object store,
/// reached by path (`ENDPOINT/BUCKET/KEY`, which MinIO and moto answer as well as AWS), with requests signed
/// by AWS Signature Version 4.
public struct ObjectStorageSettings: Sendable {
    /// The store's address, `http(s)://host[:port][/path]`, without a query (`endpoint`).
    public var endpoint: String
    public var bucket: String
    /// The region requests are signed for (`region`, `us-east-1` unless set).
    public var region = "us-east-1"
    public var accessKeyID: String
    /// Masked in logs (`ChatConfiguration.secrets`); never part of an error.
    public var secretAccessKey: String
    /// The folder inside the bucket the files are kept under, without slashes at its ends (`prefix`);
    /// empty for the bucket's root.
    public var prefix = ""
    /// How long a presigned link to a file works (`attachments.url_lifetime`).
    public var linkLifetime = Duration.seconds(3600)

    public init(endpoint: String, bucket: String, accessKeyID: String, secretAccessKey: String) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// The settings in `fields` (the `s3` object), each checked, naming the field that is wrong and never
    /// its value.
    /// - Throws: `JSONFieldError` for a missing key, an endpoint that is not an http(s) URL without a query,
    ///   an empty bucket, or a prefix with characters outside `A-Z a-z 0-9 . _ - /`.
    public init(_ fields: JSONFields) throws(JSONFieldError) {
        try fields.allowOnly(
            ["endpoint", "bucket", "region", "access_key_id", "secret_access_key", "prefix"], noun: "setting")
        let endpoint = try fields.string("endpoint")
        guard let url = URLComponents(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased()),
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
        else {
            throw fields.error("endpoint", "must be an http:// or https:// URL with a host and without a query")
        }
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        bucket = try fields.text("bucket")
        guard bucket.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
        else {
            throw fields.error("bucket", "must be a bucket name: letters, digits, '-', '.' and '_'")
        }
        region = try fields.optionalString("region") ?? region
        guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw fields.error("region", "must be a region name such as us-east-1")
        }
        accessKeyID = try fields.text("access_key_id")
        secretAccessKey = try fields.text("secret_access_key")
        for (key, value) in [("access_key_id", accessKeyID), ("secret_access_key", secretAccessKey)]
        where value.unicodeScalars.contains(where: { !$0.isASCII || $0.properties.isWhitespace || $0.value < 0x20 }) {
            throw fields.error(key, "holds white space or characters a key does not have")
        }
        let prefix = try fields.optionalString("prefix") ?? ""
        let trimmed = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard
            trimmed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) }),
            !trimmed.split(separator: "/", omittingEmptySubsequences: false).contains(where: {
                $0.isEmpty || $0 == "." || $0 == ".."
            }) || trimmed.isEmpty
        else {
            throw fields.error("prefix", "must be folder names of A-Z a-z 0-9 . _ - joined by '/'")
        }
        self.prefix = trimmed
    }
}

extension ObjectStorageSettings: CustomStringConvertible, CustomDebugStringConvertible {
    /// Where the files go, and whose key, without the secret: a configuration printed whole (a debugger, a
    /// failed test's message) shows no credential.
    public var description: String {
        "s3 \(endpoint)/\(bucket)/\(prefix) in \(region) with key \(accessKeyID), secret withheld"
    }

    public var debugDescription: String { description }
}
