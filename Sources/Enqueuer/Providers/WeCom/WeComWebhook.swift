import Foundation
import JSON
import Queue

/// WeCom (an AI bot's callback): `msg_signature` in the query is the hex SHA-1 of the sorted token,
/// `timestamp`, `nonce` and encrypted message, joined; the message is AES-256-CBC under the key decoded
/// from `EncodingAESKey` (its first 16 bytes the IV), padded to 32 bytes, and holds 16 random bytes, its
/// length (4 bytes, big-endian), itself and the receive id, which must be the corp id (AI bots send an
/// empty one). `GET` is the URL verification: its decrypted `echostr` is the answer. `POST` carries
/// `{"encrypt": ...}`.
struct WeComWebhook: WebhookCheck {
    var secretNames: [String] { ["token", "encoding_aes_key"] }

    var answersGET: Bool { true }

    func check(_ request: WebhookRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookVerdict {
        guard let token = secrets["token"], let encodingAESKey = secrets["encoding_aes_key"] else {
            return .notConfigured
        }
        let corpID = secrets["corp_id"]
        guard let timestamp = request.query["timestamp"], let nonce = request.query["nonce"],
            let signature = request.query["msg_signature"]
        else { return .refuse }
        let encrypted: String
        if request.method == "GET" {
            guard let echo = request.query["echostr"] else { return .refuse }
            encrypted = echo
        } else {
            guard case .object(let envelope)? = try? JSONParser.parse(request.body),
                case .string(let body)? = envelope["encrypt"]
            else { return .refuse }
            encrypted = body
        }
        let expected = WebhookCrypto.hex(
            WebhookCrypto.sha1(Data([token, timestamp, nonce, encrypted].sorted().joined().utf8)))
        guard WebhookCrypto.equal(Data(signature.utf8), Data(expected.utf8)),
            let (message, receiveID) = Self.decrypt(encrypted, encodingAESKey: encodingAESKey),
            receiveID.isEmpty || receiveID == corpID
        else { return .refuse }
        return request.method == "GET" ? .answer(message) : .deliver(message)
    }

    /// An `EncodingAESKey` that is not one would make every request fail its check, so the configuration
    /// refuses it.
    func secretProblem(_ name: String, _ value: String) -> String? {
        guard name == "encoding_aes_key", WeComCrypto.aesKey(value) == nil else { return nil }
        return "must be WeCom's EncodingAESKey: 43 characters of Base64, without padding, standing for 32 bytes"
    }

    /// The message and the receive id inside an encrypted WeCom message.
    static func decrypt(_ encrypted: String, encodingAESKey: String) -> (message: Data, receiveID: String)? {
        guard let key = WeComCrypto.aesKey(encodingAESKey), let cipher = Data(base64Encoded: encrypted),
            let plain = WeComCrypto.decrypt(cipher, key: key), plain.count >= 20
        else { return nil }
        let bytes = Array(plain)
        let length = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        guard 20 + length <= bytes.count else { return nil }
        return (Data(bytes[20..<20 + length]), String(decoding: bytes[(20 + length)...], as: UTF8.self))
    }

}
