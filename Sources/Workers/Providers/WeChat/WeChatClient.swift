import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import JSON

/// WeChat through iLink: `POST {base}/ilink/bot/sendmessage`, answering in the context of the inbound
/// message (its `context_token`), with the chunk's nonce as `client_id`. A file is encrypted with
/// AES-128-ECB under a key of its own and uploaded to the CDN address `getuploadurl` gives; the CDN's
/// `x-encrypted-param` and the key are what the message's image, video or file item names it by.
struct WeChatClient: HTTPProviderClient {
    var edits: Bool { false }

    let context: ClientContext

    /// iLink's code for an expired bot token.
    static let tokenExpired: Int64 = -14

    /// The `base_info` every iLink request carries.
    static let baseInfo = JSONValue.object(JSONObject(["channel_version": .string("1.0")]))

    /// The headers every iLink request carries: the bot token.
    static func headers(_ settings: ProviderSettings) -> [(name: String, value: String)] {
        [("Authorization", "Bearer \(settings.credential("bot_token"))"), ("AuthorizationType", "ilink_bot_token")]
    }

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        guard let contextToken = message.target.context else {
            return .reject("wechat: the inbound message carried no context_token to reply with")
        }
        let item: JSONValue
        if let file = message.file, let uploaded = file.uploaded {
            guard let media = UploadedMedia(uploaded, key: Self.mediaKey(for: file, message, context.settings)) else {
                return .reject("wechat: what the upload of \(file.fileName) kept is unreadable")
            }
            item = media.item(for: file)
        } else {
            item = .object(
                JSONObject(["type": .integer(1), "text_item": .object(JSONObject(["text": .string(message.text)]))]))
        }
        let body = JSONValue.object(
            JSONObject([
                "msg": .object(
                    JSONObject([
                        "from_user_id": .string(""), "to_user_id": .string(message.target.chat),
                        "client_id": .string(message.nonce),
                        "message_type": .integer(2), "message_state": .integer(2),
                        "context_token": .string(contextToken),
                        "item_list": .array([item]),
                    ])),
                "base_info": Self.baseInfo,
            ]))
        let request = HTTPRequest.json(
            context.settings.url(.wechatSend), body.serialized, headers: Self.headers(context.settings))
        let response = try await context.send(request)
        let bucket = RateBuckets.of(message).chat.key
        guard response.status == 200, let answer = ClientContext.object(response.body) else {
            return context.byStatus(response, to: message, bucket: bucket, provider: "wechat")
        }
        let ret = answer["ret"]?.integerValue ?? 0
        if ret == 0 {
            return .delivered(messageID: nil)
        }
        if answer["errcode"]?.integerValue == Self.tokenExpired {
            return .reject("wechat: bot token expired; scan again or update bot_token")
        }
        return .retry("wechat ret \(ret): " + context.describe(answer["errmsg"]?.stringValue ?? "", answering: message))
    }

    /// Encrypts the file of `message` under a new key and uploads it to the CDN; returns the upload's
    /// download parameter with the key, as `UploadedMedia` writes them.
    func uploadFile(_ message: OutboundMessage) async throws(SendFailure) -> String? {
        guard let file = message.file else { return nil }
        let plain = file.data ?? Data()
        let key = Self.mediaKey(for: file, message, context.settings)
        let fileKey = WebhookCrypto.hex(Data(SecretToken.randomBytes(16)))
        guard let cipher = WebhookCrypto.encryptAES128ECB(key: key, plain) else {
            throw SendFailure(outcome: .reject("wechat: \(file.fileName) cannot be encrypted for the CDN"))
        }
        let mediaType: Int64 =
            switch file.kind {
            case .image: 1
            case .video: 2
            default: 3
            }
        let ask = JSONValue.object(
            JSONObject([
                "filekey": .string(fileKey), "media_type": .integer(mediaType),
                "to_user_id": .string(message.target.chat),
                "rawsize": .integer(Int64(plain.count)),
                "rawfilemd5": .string(WebhookCrypto.hex(WebhookCrypto.md5(plain))),
                "filesize": .integer(Int64(cipher.count)), "no_need_thumb": .bool(true),
                "aeskey": .string(WebhookCrypto.hex(key)), "base_info": Self.baseInfo,
            ]))
        let bucket = RateBuckets.of(message).chat.key
        let asked = try await context.send(
            .json(context.settings.url(.wechatUploadURL), ask.serialized, headers: Self.headers(context.settings)))
        guard asked.status == 200, let answer = ClientContext.object(asked.body) else {
            throw SendFailure(outcome: context.byStatus(asked, to: message, bucket: bucket, provider: "wechat"))
        }
        let uploadURL: String
        if let full = answer["upload_full_url"]?.stringValue, !full.isEmpty {
            uploadURL = full
        } else if let parameter = answer["upload_param"]?.stringValue, !parameter.isEmpty {
            let encoded = parameter.addingPercentEncoding(withAllowedCharacters: AttachmentLinks.unreserved) ?? ""
            uploadURL = "\(Self.cdn)/upload?encrypted_query_param=\(encoded)&filekey=\(fileKey)"
        } else {
            if answer["errcode"]?.integerValue == Self.tokenExpired {
                throw SendFailure(outcome: .reject("wechat: bot token expired; scan again or update bot_token"))
            }
            throw SendFailure(
                outcome: .retry(
                    "wechat: getuploadurl answered ret \(answer["ret"]?.integerValue ?? 0) without an address"))
        }
        try context.checkUploadAddress(uploadURL, of: self, provider: "wechat")
        let response = try await context.send(
            HTTPRequest(.post, uploadURL, headers: [("Content-Type", "application/octet-stream")], body: cipher),
            uploading: true)
        guard response.status == 200, let parameter = response.headers["x-encrypted-param"], !parameter.isEmpty else {
            throw SendFailure(
                outcome: response.status == 200
                    ? .retry("wechat: the CDN answered the upload without x-encrypted-param")
                    : context.byStatus(response, to: message, bucket: bucket, provider: "wechat"))
        }
        return UploadedMedia(parameter: parameter, key: key, cipherSize: cipher.count).recorded
    }

    /// The AES key a file of `message` is encrypted under: derived from the bot's token, the file's digest
    /// and the message's nonce, so an attempt after a crash has it again without it being kept anywhere
    /// (a job's checkpoint is shown to operators).
    static func mediaKey(for file: OutboundFile, _ message: OutboundMessage, _ settings: ProviderSettings) -> Data {
        WebhookCrypto.hmacSHA256(
            key: Data(settings.credential("bot_token").utf8),
            Data("switchboard wechat media \(file.sha256) \(message.nonce)".utf8)
        ).prefix(16)
    }
}

/// A file uploaded to WeChat's CDN, as a message names it: the CDN's download parameter, the key it is
/// encrypted under, the size of its ciphertext. Kept as one line of JSON in the delivery job's checkpoint,
/// without the key (`WeChatClient.mediaKey` derives it again).
struct UploadedMedia: Equatable {
    let parameter: String
    let key: Data
    let cipherSize: Int

    init(parameter: String, key: Data, cipherSize: Int) {
        self.parameter = parameter
        self.key = key
        self.cipherSize = cipherSize
    }

    init?(_ recorded: String, key: Data) {
        guard case .object(let object)? = try? JSONParser.parse(Data(recorded.utf8)),
            let parameter = object["param"]?.stringValue, let size = object["size"]?.integerValue
        else { return nil }
        self.init(parameter: parameter, key: key, cipherSize: Int(size))
    }

    var recorded: String {
        String(
            decoding: JSONValue.object(
                JSONObject(["param": .string(parameter), "size": .integer(Int64(cipherSize))])
            ).serialized, as: UTF8.self)
    }

    /// The message item that shows `file`: an image, a video, or a file with its name and size. The key
    /// goes as base64 of its hex digits, as WeChat's own client sends it.
    func item(for file: OutboundFile) -> JSONValue {
        let media = JSONValue.object(
            JSONObject([
                "encrypt_query_param": .string(parameter),
                "aes_key": .string(Data(WebhookCrypto.hex(key).utf8).base64EncodedString()),
                "encrypt_type": .integer(1),
            ]))
        switch file.kind {
        case .image:
            return .object(
                JSONObject([
                    "type": .integer(2),
                    "image_item": .object(JSONObject(["media": media, "mid_size": .integer(Int64(cipherSize))])),
                ]))
        case .video:
            return .object(
                JSONObject([
                    "type": .integer(5),
                    "video_item": .object(JSONObject(["media": media, "video_size": .integer(Int64(cipherSize))])),
                ]))
        default:
            return .object(
                JSONObject([
                    "type": .integer(4),
                    "file_item": .object(
                        JSONObject([
                            "media": media, "file_name": .string(file.fileName), "len": .string(String(file.size)),
                        ])),
                ]))
        }
    }
}
