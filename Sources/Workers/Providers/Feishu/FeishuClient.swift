import Enqueuer
import Foundation
import HTTPClient
import JSON

/// Feishu / Lark: the first chunk replies to the inbound message (`/im/v1/messages/{id}/reply`), later
/// chunks post to the chat (`/im/v1/messages?receive_id_type=chat_id`), with a tenant access token
/// fetched from the app's id and secret and cached until shortly before it expires. An edit is a `PUT`
/// of `/im/v1/messages/{id}` (Feishu allows 20 edits of one message). A new message carries the chunk's
/// nonce as its `uuid`, which Feishu sends at most once an hour. A file is uploaded first (`/im/v1/images`
/// or `/im/v1/files`), then sent as an `image` or `file` message naming the key the upload answered.
struct FeishuClient: HTTPProviderClient {
    let context: ClientContext
    let tokens: AccessTokenCache

    var edits: Bool { true }
    var editsPerMessage: Int? { 20 }

    /// Codes that mean the token is no longer valid: fetch a new one and retry.
    private static let tokenCodes: Set<Int64> = [99_991_661, 99_991_663, 99_991_668]
    private static let rateLimited: Int64 = 99_991_400

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        let token = try await context.token(tokens, fetch: fetchToken)
        let (type, content): (String, JSONObject) =
            switch (message.file?.kind, message.file?.uploaded) {
            case (.image?, let key?): ("image", JSONObject(["image_key": .string(key)]))
            case (_, let key?): ("file", JSONObject(["file_key": .string(key)]))
            default: ("text", JSONObject(["text": .string(message.text)]))
            }
        var body = JSONObject([
            "msg_type": .string(type),
            "content": .string(String(decoding: JSONValue.object(content).serialized, as: UTF8.self)),
        ])
        if message.replacing == nil {
            body.set("uuid", .string(message.nonce))
        }
        var method = HTTPRequest.Method.post
        let url: String
        if let replacing = message.replacing {
            url = context.settings.url(.feishuMessage, replacing)
            method = .put
        } else if let replyTo = message.repliesToMessage {
            url = context.settings.url(.feishuReply, replyTo)
        } else {
            url = context.settings.url(.feishuSend, query: "receive_id_type=chat_id")
            body.set("receive_id", .string(message.target.chat))
        }
        var request = HTTPRequest.json(
            url, JSONValue.object(body).serialized, headers: [("Authorization", "Bearer \(token)")])
        request.method = method
        let data = try await accepted(try await context.send(request), to: message)
        return .delivered(messageID: data?["message_id"]?.stringValue ?? message.replacing)
    }

    /// Uploads the file of `message` as an image or a file; returns the key Feishu answered.
    func uploadFile(_ message: OutboundMessage) async throws(SendFailure) -> String? {
        guard let file = message.file else { return nil }
        let token = try await context.token(tokens, fetch: fetchToken)
        let bytes = file.data ?? Data()
        let (url, parts, keyName): (String, [FormPart], String) =
            file.kind == .image
            ? (
                context.settings.url(.feishuImageUpload),
                [
                    .field("image_type", "message"),
                    .file("image", bytes, fileName: file.fileName, contentType: file.contentType),
                ],
                "image_key"
            )
            : (
                context.settings.url(.feishuFileUpload),
                [
                    .field("file_type", Self.fileType(of: file.contentType)), .field("file_name", file.fileName),
                    .file("file", bytes, fileName: file.fileName, contentType: file.contentType),
                ],
                "file_key"
            )
        let response = try await context.send(
            .form(url, parts, headers: [("Authorization", "Bearer \(token)")]), uploading: true)
        guard let key = try await accepted(response, to: message)?[keyName]?.stringValue else {
            throw SendFailure(outcome: .retry("feishu: the upload answered without \(keyName)"))
        }
        return key
    }

    /// Feishu's `file_type` for a file of `contentType`: its document types by name, anything else a stream.
    static func fileType(of contentType: String) -> String {
        switch contentType {
        case "application/pdf": "pdf"
        case "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "doc"
        case "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xls"
        case "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation":
            "ppt"
        default: "stream"
        }
    }

    /// The `data` of Feishu's answer to a request for `message` when its code is 0; otherwise a
    /// `SendFailure` with what the answer comes to: a rate limit slows down, a token refused is fetched
    /// anew and retried, another code is rejected (retried on a 5xx), no answer goes by its status.
    private func accepted(_ response: HTTPResponse, to message: OutboundMessage) async throws(SendFailure)
        -> JSONObject?
    {
        let bucket = RateBuckets.of(message).chat.key
        guard let answer = ClientContext.object(response.body), let code = answer["code"]?.integerValue else {
            throw SendFailure(outcome: context.byStatus(response, to: message, bucket: bucket, provider: "feishu"))
        }
        switch code {
        case 0:
            return answer["data"]?.objectValue
        case Self.rateLimited:
            throw SendFailure(outcome: .slowDown(after: .providerWait(response.retryAfterSeconds), bucket: bucket))
        case let code where Self.tokenCodes.contains(code):
            await tokens.invalidate()
            throw SendFailure(outcome: .retry("feishu: tenant token refused (\(code))"))
        default:
            let reason = "feishu \(code): " + context.describe(answer["msg"]?.stringValue ?? "", answering: message)
            throw SendFailure(outcome: response.status >= 500 ? .retry(reason) : .reject(reason))
        }
    }

    func fetchToken() async throws -> (String, Duration) {
        let body = JSONValue.object(
            JSONObject([
                "app_id": .string(context.settings.credential("app_id")),
                "app_secret": .string(context.settings.credential("app_secret")),
            ])
        ).serialized
        let response = try await context.http.send(
            .json(context.settings.url(.feishuToken), body)
        )
        guard let answer = ClientContext.object(response.body), answer["code"]?.integerValue == 0,
            let token = answer["tenant_access_token"]?.stringValue
        else {
            throw TokenFetchError(description: "tenant_access_token answered HTTP \(response.status)")
        }
        return (token, .seconds(answer["expire"]?.integerValue ?? 7200))
    }
}
