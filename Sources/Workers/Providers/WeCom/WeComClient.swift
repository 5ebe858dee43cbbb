import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import JSON

/// WeCom: `POST {base}/cgi-bin/appchat/send` to a group chat, or `/cgi-bin/message/send` to one user,
/// with an access token from `/cgi-bin/gettoken` in the query. A message that came over the AI bot's long
/// connection is answered over it instead: a stream (`aibot_respond_msg`) queued for the process holding
/// the bot's socket, growing with each edit of a live reply and finished by the final delivery; an image
/// of the answer goes in a finished stream of its own (`msg_item`). Through the message API a file is
/// uploaded first (`/cgi-bin/media/upload`), then sent as an `image` (JPEG and PNG) or `file` message naming
/// its `media_id`; to one user with WeCom's duplicate check, so the same file sent again within half an
/// hour (a retry after a crash, which sends the `media_id` it kept) is delivered once.
struct WeComClient: HTTPProviderClient {
    var edits: Bool { false }

    /// A stream over the socket can be refreshed; the message API's messages cannot.
    func edits(to target: ReplyTarget) -> Bool {
        target.context != nil
    }

    let context: ClientContext
    let tokens: AccessTokenCache

    private static let tokenErrors: Set<Int64> = [40014, 42001]
    private static let rateLimited: Set<Int64> = [45009, 45033]
    private static let transient: Set<Int64> = [-1]

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        if let requestID = message.target.context {
            return try await queueOverSocket(message, answering: requestID)
        }
        let token = try await context.token(tokens, fetch: fetchToken)
        let route: ProviderRoute
        var body: JSONObject
        if let file = message.file, let media = file.uploaded {
            let type = Self.sendsAsImage(file) ? "image" : "file"
            body = JSONObject(["msgtype": .string(type), type: .object(JSONObject(["media_id": .string(media)]))])
        } else {
            body = JSONObject([
                "msgtype": .string("text"), "text": .object(JSONObject(["content": .string(message.text)])),
            ])
        }
        if let user = message.target.user {
            route = .wecomDirect
            body.set("touser", .string(user))
            if message.file != nil {
                body.set("enable_duplicate_check", .integer(1))
                body.set("duplicate_check_interval", .integer(1800))
            }
            body.set(
                "agentid",
                Int64(context.settings.credential("agent_id")).map(JSONValue.integer)
                    ?? .string(context.settings.credential("agent_id")))
        } else {
            route = .wecomGroup
            body.set("chatid", .string(message.target.chat))
        }
        let url = context.settings.url(route, query: "access_token=\(token)")
        let response = try await context.send(.json(url, JSONValue.object(body).serialized))
        let bucket = RateBuckets.of(message).chat.key
        guard let answer = ClientContext.object(response.body), let code = answer["errcode"]?.integerValue else {
            return context.byStatus(response, to: message, bucket: bucket, provider: "wecom")
        }
        return code == 0 ? .delivered(messageID: nil) : await outcome(of: code, answer, to: message, bucket: bucket)
    }

    /// Uploads the file of `message` as temporary media; returns the `media_id` WeCom answered.
    /// Over the AI bot's connection nothing is uploaded: the image goes in the stream.
    func uploadFile(_ message: OutboundMessage) async throws(SendFailure) -> String? {
        guard let file = message.file, message.target.context == nil else { return nil }
        let token = try await context.token(tokens, fetch: fetchToken)
        let type = Self.sendsAsImage(file) ? "image" : "file"
        let url = context.settings.url(.wecomMediaUpload, query: "access_token=\(token)&type=\(type)")
        let part = FormPart.file("media", file.data ?? Data(), fileName: file.fileName, contentType: file.contentType)
        let response = try await context.send(.form(url, [part]), uploading: true)
        let bucket = RateBuckets.of(message).chat.key
        guard let answer = ClientContext.object(response.body), let code = answer["errcode"]?.integerValue else {
            throw SendFailure(outcome: context.byStatus(response, to: message, bucket: bucket, provider: "wecom"))
        }
        if code == 0, let media = answer["media_id"]?.stringValue {
            return media
        }
        throw SendFailure(outcome: await outcome(of: code, answer, to: message, bucket: bucket))
    }

    /// WeCom shows JPEG and PNG images as pictures; other images go as files.
    static func sendsAsImage(_ file: OutboundFile) -> Bool {
        file.kind == .image && (file.contentType == "image/jpeg" || file.contentType == "image/png")
    }

    /// What a WeCom error code comes to.
    private func outcome(of code: Int64, _ answer: JSONObject, to message: OutboundMessage, bucket: String) async
        -> SendOutcome
    {
        switch code {
        case let code where Self.rateLimited.contains(code):
            return .slowDown(after: .seconds(60), bucket: bucket)
        case let code where Self.tokenErrors.contains(code):
            await tokens.invalidate()
            return .retry("wecom: access token refused (\(code))")
        case let code where Self.transient.contains(code):
            return .retry("wecom: system busy (\(code))")
        default:
            return .reject(
                "wecom \(code): " + context.describe(answer["errmsg"]?.stringValue ?? "", answering: message))
        }
    }

    /// Queues the message's stream frame for the bot's socket: the stream's id names the reply's part, so
    /// each edit refreshes the same stream, and the final delivery finishes it.
    private func queueOverSocket(_ message: OutboundMessage, answering requestID: String) async throws(SendFailure)
        -> SendOutcome
    {
        guard let chat = context.chat else {
            return .reject(
                "wecom: this message came over the AI bot's long connection, and this process cannot queue replies for it"
            )
        }
        let streamID = "sb\(message.turnID)p\(message.part)"
        var stream = JSONObject([
            "id": .string(streamID), "finish": .bool(!message.isDraft), "content": .string(message.text),
        ])
        // An image goes in the finished stream itself, with its MD5, as the AI bot takes images.
        if let data = message.file?.data {
            let image = JSONObject([
                "base64": .string(data.base64EncodedString()),
                "md5": .string(WebhookCrypto.hex(WebhookCrypto.md5(data))),
            ])
            stream.set(
                "msg_item", .array([.object(JSONObject(["msgtype": .string("image"), "image": .object(image)]))]))
        }
        let frame = WeComSession.frame(
            "aibot_respond_msg", requestID: requestID,
            body: JSONObject(["msgtype": .string("stream"), "stream": .object(stream)]))
        do {
            _ = try await chat.queueSocketSend(
                String(decoding: frame.bytes, as: UTF8.self), stream: WeComLongConnection.stream(of: context.settings))
        } catch {
            throw SendFailure(
                outcome: .retry(context.redactor.redact("wecom: queueing the reply for the socket: \(error)")))
        }
        return .delivered(messageID: streamID)
    }

    private func fetchToken() async throws -> (String, Duration) {
        let corp =
            context.settings.credential("corp_id").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let secret =
            context.settings.credential("corp_secret").addingPercentEncoding(withAllowedCharacters: .alphanumerics)
            ?? ""
        let response = try await context.http.send(
            HTTPRequest(.get, context.settings.url(.wecomToken, query: "corpid=\(corp)&corpsecret=\(secret)"))
        )
        guard let answer = ClientContext.object(response.body), answer["errcode"]?.integerValue == 0,
            let token = answer["access_token"]?.stringValue
        else {
            throw TokenFetchError(description: "gettoken answered HTTP \(response.status)")
        }
        return (token, .seconds(answer["expires_in"]?.integerValue ?? 7200))
    }
}
