import Foundation
import JSON
import Queue

/// Feishu (Lark): with an encrypt key, the body is `{"encrypt": BASE64}` (AES-256-CBC under the SHA-256 of
/// the key, the IV first) and events carry `X-Lark-Signature`, the hex SHA-256 of timestamp + nonce +
/// encrypt key + body; every body carries the verification token (`token`, or `header.token` in the 2.0
/// schema), checked before anything is read from it. The URL challenge is answered by intake, after this.
struct FeishuWebhook: WebhookCheck {
    var secretNames: [String] { ["verification_token", "encrypt_key"] }

    func check(_ request: WebhookRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookVerdict {
        guard let verificationToken = secrets["verification_token"] else { return .notConfigured }
        let encryptKey = secrets["encrypt_key"]
        var body = request.body
        if let encryptKey {
            guard case .object(let envelope)? = try? JSONParser.parse(body),
                case .string(let encrypted)? = envelope["encrypt"],
                let plain = Self.decrypt(encrypted, key: encryptKey)
            else { return .refuse }
            let isChallenge = (try? JSONParser.parse(plain))?.objectValue?["type"]?.stringValue == "url_verification"
            if !isChallenge {
                guard let timestamp = request.headers["x-lark-request-timestamp"],
                    let nonce = request.headers["x-lark-request-nonce"],
                    let signature = request.headers["x-lark-signature"]
                else { return .refuse }
                let expected = WebhookCrypto.hex(
                    WebhookCrypto.sha256(Data((timestamp + nonce + encryptKey).utf8) + body))
                guard WebhookCrypto.equal(Data(signature.utf8), Data(expected.utf8)) else { return .refuse }
            }
            body = plain
        }
        guard case .object(let object)? = try? JSONParser.parse(body) else { return .refuse }
        let token = object["token"]?.stringValue ?? object["header"]?.objectValue?["token"]?.stringValue ?? ""
        guard WebhookCrypto.equal(Data(token.utf8), Data(verificationToken.utf8)) else { return .refuse }
        return .deliver(body)
    }

    static func decrypt(_ encrypted: String, key: String) -> Data? {
        guard let data = Data(base64Encoded: encrypted), data.count > 16,
            let padded = WebhookCrypto.decryptAES256CBC(
                key: WebhookCrypto.sha256(Data(key.utf8)), iv: data.prefix(16), data.dropFirst(16))
        else { return nil }
        return WebhookCrypto.unpadded(padded, blockSize: 16)
    }
}
