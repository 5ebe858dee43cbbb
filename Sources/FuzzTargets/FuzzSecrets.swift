import CCrypto
import Enqueuer
import Foundation
import JSON
import Queue

/// The secrets the fuzz targets configure, and the signing and encryption a provider would do with them.
///
/// The fuzzer cannot forge a signature: a request asking for `fuzz-sign` is signed here, after the fuzzer
/// has made it, so the fuzzer explores what runs once a request is found authentic. The secrets are the
/// fuzz targets' own, used nowhere else (not those of the documented examples, which are seeds too), so
/// a request that did not ask must never be found authentic.
enum FuzzSecrets {
    static let slackSigningSecret = "fuzz-slack-signing-secret"
    static let telegramSecretToken = "fuzz-telegram-secret_token"
    static let dingTalkAppSecret = "fuzz-dingtalk-app-secret"
    static let feishuVerificationToken = "fuzz-feishu-verification-token"
    static let feishuEncryptKey = "fuzz-feishu-encrypt-key"
    static let weComToken = "fuzzToken"
    static let weComEncodingAESKey = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuz"
    static let weComCorpID = "fuzz-corp-id"
    static let intakeToken = "fuzz-intake-token-0123456789abcdef"
    static let dashboardToken = "fuzz-dashboard-token-0123456789abcdef"

    /// The webhook secrets by provider, as the configuration's `providers` section gives them.
    static let webhookSecrets: [Provider: [String: String]] = [
        .telegram: ["secret_token": telegramSecretToken],
        .slack: ["signing_secret": slackSigningSecret],
        .dingtalk: ["app_secret": dingTalkAppSecret],
        .feishu: ["verification_token": feishuVerificationToken, "encrypt_key": feishuEncryptKey],
        .wecom: ["token": weComToken, "encoding_aes_key": weComEncodingAESKey, "corp_id": weComCorpID],
    ]

    /// The time every fuzzed request is checked at (2024-11-22T08:00:00Z, the fixtures' time): a seed's
    /// Slack or DingTalk timestamp near it is inside the replay window.
    static let now = Timestamp(millisecondsSince1970: 1_732_262_400_000)

    /// Does to a webhook of `provider` what its directives ask, as the provider would: encrypts the body,
    /// then signs the request.
    static func prepare(_ request: inout FuzzRequest, for provider: Provider) {
        if provider == .feishu, request.wants("sign") {
            insertFeishuToken(&request)
        }
        if request.wants("encrypt") {
            encrypt(&request, for: provider)
        }
        if request.wants("sign") {
            sign(&request, for: provider)
        }
    }

    /// Gives a forwarder's request to `/intake/{provider}` the intake token when it asks for `fuzz-sign`.
    static func prepareIntake(_ request: inout FuzzRequest) {
        if request.wants("sign") {
            request.headers["authorization"] = "Bearer " + intakeToken
        }
    }

    private static func sign(_ request: inout FuzzRequest, for provider: Provider) {
        switch provider {
        case .telegram:
            request.headers["x-telegram-bot-api-secret-token"] = telegramSecretToken
        case .slack:
            let timestamp = request.headers["x-slack-request-timestamp"] ?? ""
            request.headers["x-slack-signature"] =
                "v0="
                + WebhookCrypto.hex(
                    WebhookCrypto.hmacSHA256(
                        key: Data(slackSigningSecret.utf8), Data("v0:\(timestamp):".utf8) + request.body))
        case .dingtalk:
            let timestamp = request.headers["timestamp"] ?? ""
            request.headers["sign"] = WebhookCrypto.hmacSHA256(
                key: Data(dingTalkAppSecret.utf8), Data("\(timestamp)\n\(dingTalkAppSecret)".utf8)
            ).base64EncodedString()
        case .feishu:
            let stamp =
                (request.headers["x-lark-request-timestamp"] ?? "") + (request.headers["x-lark-request-nonce"] ?? "")
            request.headers["x-lark-signature"] = WebhookCrypto.hex(
                WebhookCrypto.sha256(Data((stamp + feishuEncryptKey).utf8) + request.body))
        case .wecom:
            let encrypted =
                request.method == "GET"
                ? request.query["echostr"] ?? ""
                : (try? JSONParser.parse(request.body))?.objectValue?["encrypt"]?.stringValue ?? ""
            let parts = [weComToken, request.query["timestamp"] ?? "", request.query["nonce"] ?? "", encrypted]
            request.query["msg_signature"] = WebhookCrypto.hex(WebhookCrypto.sha1(Data(parts.sorted().joined().utf8)))
        case .discord, .wechat:
            break
        }
    }

    /// Feishu's verification token travels in the body (`token`, or `header.token` in the 2.0 schema):
    /// a body that is a JSON object gets the configured one, as Feishu's own would have it.
    private static func insertFeishuToken(_ request: inout FuzzRequest) {
        guard case .object(var object)? = try? JSONParser.parse(request.body) else { return }
        if case .object(var header)? = object["header"] {
            header.set("token", feishuVerificationToken)
            object.set("header", header)
        } else {
            object.set("token", feishuVerificationToken)
        }
        request.body = JSONValue.object(object).serialized
    }

    private static func encrypt(_ request: inout FuzzRequest, for provider: Provider) {
        switch provider {
        case .feishu:
            // Feishu: AES-256-CBC under SHA-256 of the key, PKCS#7 to 16 bytes, the IV before the cipher.
            let iv = Data((0..<16).map { UInt8($0) })
            let cipher = aes256CBC(
                key: WebhookCrypto.sha256(Data(feishuEncryptKey.utf8)), iv: iv, padded(request.body, to: 16))
            request.body = JSONValue.object(["encrypt": (iv + cipher).base64EncodedString()]).serialized
        case .wecom:
            // WeCom: 16 random bytes, the message's length (4 bytes, big-endian), the message and the
            // receive id, PKCS#7 to 32 bytes, AES-256-CBC with the key's first 16 bytes as the IV.
            var plain = request.body
            if request.directives["fuzz-encrypt"] != "raw" {
                let length = UInt32(truncatingIfNeeded: request.body.count)
                plain =
                    Data(repeating: 0x5A, count: 16) + withUnsafeBytes(of: length.bigEndian) { Data($0) }
                    + request.body + Data(weComCorpID.utf8)
            }
            let key = Data(base64Encoded: weComEncodingAESKey + "=")!
            let encrypted = aes256CBC(key: key, iv: key.prefix(16), padded(plain, to: 32)).base64EncodedString()
            if request.method == "GET" {
                request.query["echostr"] = encrypted
            } else {
                request.body = JSONValue.object(["encrypt": encrypted]).serialized
            }
        default:
            break
        }
    }

    /// `data` with PKCS#7 padding to a multiple of `blockSize`.
    private static func padded(_ data: Data, to blockSize: Int) -> Data {
        let count = blockSize - data.count % blockSize
        return data + Data(repeating: UInt8(count), count: count)
    }

    private static func aes256CBC(key: Data, iv: Data, _ plain: Data) -> Data {
        var cipher = [UInt8](repeating: 0, count: plain.count)
        let written = key.withUnsafeBytes { key in
            iv.withUnsafeBytes { iv in
                plain.withUnsafeBytes { plain in
                    sb_aes256_cbc_encrypt(
                        key.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        iv.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        plain.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(plain.count), &cipher)
                }
            }
        }
        precondition(written == plain.count, "libcrypto could not encrypt a fuzz request")
        return Data(cipher)
    }
}
