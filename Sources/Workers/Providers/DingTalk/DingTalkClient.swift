import Enqueuer
import Foundation
import HTTPClient
import JSON

/// DingTalk robot: `POST {base}/v1.0/robot/oToMessages/batchSend` for a direct message, or
/// `.../groupMessages/send` for a group, with an access token from `/v1.0/oauth2/accessToken`. A file is
/// uploaded first (`/media/upload` on the older API host, with the same token, as DingTalk's own SDK does),
/// then sent as `sampleImageMsg` or `sampleFile` naming the `media_id` it answered.
struct DingTalkClient: HTTPProviderClient {
    var edits: Bool { false }

    let context: ClientContext
    let tokens: AccessTokenCache

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        let token = try await context.token(tokens, fetch: fetchToken)
        let (key, parameters): (String, JSONObject) =
            switch (message.file, message.file?.uploaded) {
            case (let file?, let media?) where file.kind == .image:
                ("sampleImageMsg", JSONObject(["photoURL": .string(media)]))
            case (let file?, let media?):
                (
                    "sampleFile",
                    JSONObject([
                        "mediaId": .string(media), "fileName": .string(file.fileName),
                        "fileType": .string(Self.fileType(of: file.fileName)),
                    ])
                )
            default: ("sampleText", JSONObject(["content": .string(message.text)]))
            }
        var body = JSONObject([
            "robotCode": .string(message.target.bot ?? context.settings.credential("app_key")),
            "msgKey": .string(key),
            "msgParam": .string(String(decoding: JSONValue.object(parameters).serialized, as: UTF8.self)),
        ])
        let route: ProviderRoute
        if let user = message.target.user {
            route = .dingtalkDirect
            body.set("userIds", .array([.string(user)]))
        } else {
            route = .dingtalkGroup
            body.set("openConversationId", .string(message.target.chat))
        }
        let response = try await context.send(
            .json(
                context.settings.url(route), JSONValue.object(body).serialized,
                headers: [("x-acs-dingtalk-access-token", token)]
            ))
        let bucket = RateBuckets.of(message).chat.key
        let code = ClientContext.object(response.body)?["code"]?.stringValue
        if code == "Throttling" || code?.hasPrefix("Throttling") == true {
            return .slowDown(after: .providerWait(response.retryAfterSeconds, otherwise: .seconds(60)), bucket: bucket)
        }
        if response.status == 401 || code == "InvalidAuthentication" {
            await tokens.invalidate()
        }
        return context.byStatus(response, to: message, bucket: bucket, provider: "dingtalk")
    }

    /// Uploads the file of `message` as an image or a file; returns the `media_id` DingTalk answered.
    func uploadFile(_ message: OutboundMessage) async throws(SendFailure) -> String? {
        guard let file = message.file else { return nil }
        let token = try await context.token(tokens, fetch: fetchToken)
        let query =
            "access_token=" + (token.addingPercentEncoding(withAllowedCharacters: AttachmentLinks.unreserved) ?? "")
        let url = DingTalkAPI.olderAPI(context.settings) + ProviderRoute.dingtalkMediaUpload.path() + "?" + query
        let parts: [FormPart] = [
            .field("type", file.kind == .image ? "image" : "file"),
            .file("media", file.data ?? Data(), fileName: file.fileName, contentType: file.contentType),
        ]
        let response = try await context.send(.form(url, parts), uploading: true)
        let answer = ClientContext.object(response.body)
        if response.status == 200, answer?["errcode"]?.integerValue == 0, let media = answer?["media_id"]?.stringValue {
            return media
        }
        let bucket = RateBuckets.of(message).chat.key
        switch answer?["errcode"]?.integerValue {
        case 90_018?, 90_002?:
            throw SendFailure(outcome: .slowDown(after: .seconds(60), bucket: bucket))
        case 40_014?, 42_001?:
            await tokens.invalidate()
            throw SendFailure(outcome: .retry("dingtalk: the media upload refused the access token"))
        case let code? where code != 0 && response.status == 200:
            let reason = context.describe(answer?["errmsg"]?.stringValue ?? "", answering: message)
            throw SendFailure(outcome: .reject("dingtalk media upload \(code): \(reason)"))
        default:
            throw SendFailure(outcome: context.byStatus(response, to: message, bucket: bucket, provider: "dingtalk"))
        }
    }

    /// DingTalk's `fileType`: the name's extension, lower case (`pdf`, `docx`); `file` when it has none.
    static func fileType(of name: String) -> String {
        let parts = name.split(separator: ".")
        guard parts.count > 1, let last = parts.last, last.count <= 10 else { return "file" }
        return last.lowercased()
    }

    func fetchToken() async throws -> (String, Duration) {
        let body = JSONValue.object(
            JSONObject([
                "appKey": .string(context.settings.credential("app_key")),
                "appSecret": .string(context.settings.credential("app_secret")),
            ])
        ).serialized
        let response = try await context.http.send(.json(context.settings.url(.dingtalkToken), body))
        guard let answer = ClientContext.object(response.body), let token = answer["accessToken"]?.stringValue else {
            throw TokenFetchError(description: "accessToken answered HTTP \(response.status)")
        }
        return (token, .seconds(answer["expireIn"]?.integerValue ?? 7200))
    }
}
