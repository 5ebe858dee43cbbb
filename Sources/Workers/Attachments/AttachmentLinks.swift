import Enqueuer
import Foundation

/// Time-limited, signed addresses of kept files, which `serve` answers (`attachments.url_base`,
/// `attachments.url_secret`): `BASE/attachments/SHA256?type=TYPE&expires=UNIX&signature=HMAC`, the HMAC-SHA256
/// under the secret of the digest, the content type and the expiry, one a line. Anyone holding a link may
/// fetch that one file until it expires; nothing else is served.
public struct AttachmentLinks: Sendable {
    /// `serve`'s address as the agent reaches it, without a trailing slash.
    let baseURL: String
    let secretBytes: Data
    /// The secret, for the redactor to mask.
    let secret: String
    /// How long a link works.
    let lifetime: Duration

    /// Links under `baseURL` signed with `secret` (32 characters or more), working for `lifetime`.
    public init(baseURL: String, secret: String, lifetime: Duration) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.secret = secret
        secretBytes = Data(secret.utf8)
        self.lifetime = lifetime
    }

    /// The characters a URL's query carries as they are (RFC 3986's unreserved): ASCII only.
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The path `serve` answers a link on.
    public static let pathPrefix = "attachments"

    /// A link to the file kept under `digest`, served as `contentType`, working until `now` + the lifetime.
    func url(digest: String, contentType: String, now: Date) -> String {
        let expires = Int64(now.timeIntervalSince1970) + lifetime.components.seconds
        let type = contentType.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""
        let signature = WebhookCrypto.hex(sign(digest: digest, contentType: contentType, expires: expires))
        return "\(baseURL)/\(Self.pathPrefix)/\(digest)?type=\(type)&expires=\(expires)&signature=\(signature)"
    }

    /// The content type a link to `digest` with `query` (its decoded parameters) serves, when its signature
    /// is this secret's and it has not expired at `now`; nil otherwise.
    public func contentType(digest: String, query: [String: String], now: Date) -> String? {
        guard let type = query["type"], let expiresText = query["expires"], let expires = Int64(expiresText),
            let signature = query["signature"], Double(expires) >= now.timeIntervalSince1970,
            signature.utf8.count == 64, let given = WebhookCrypto.bytes(hex: signature)
        else { return nil }
        let expected = sign(digest: digest, contentType: type, expires: expires)
        return WebhookCrypto.equal(given, expected) ? type : nil
    }

    private func sign(digest: String, contentType: String, expires: Int64) -> Data {
        WebhookCrypto.hmacSHA256(key: secretBytes, Data("\(digest)\n\(contentType)\n\(expires)".utf8))
    }
}
