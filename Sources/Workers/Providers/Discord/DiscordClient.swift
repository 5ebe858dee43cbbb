import Enqueuer
import Foundation
import HTTPClient
import JSON

/// Discord REST API: `POST {base}/api/v10/channels/{id}/messages`, replying to the inbound message, with a
/// `nonce` and `enforce_nonce` so that a resend after a timeout returns the message already posted; an
/// edit is a `PATCH` of `/channels/{id}/messages/{id}`. A file goes in the same message, as multipart form
/// data: the file in `files[0]`, the message (its nonce too) in `payload_json`.
struct DiscordClient: HTTPProviderClient {
    let context: ClientContext

    var edits: Bool { true }

    /// Discord refuses bots whose requests lack a User-Agent of this form.
    private static let userAgent = "DiscordBot (\(SwitchboardVersion.homepage), \(SwitchboardVersion.current))"

    /// The headers every request of the bot carries: its token, and the User-Agent Discord requires.
    static func headers(_ settings: ProviderSettings) -> [(name: String, value: String)] {
        [("Authorization", "Bot \(settings.credential("bot_token"))"), ("User-Agent", userAgent)]
    }

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        var body = JSONObject(["content": .string(message.text)])
        var request: HTTPRequest
        if let replacing = message.replacing {
            request = HTTPRequest.json(
                context.settings.url(.discordMessage, message.target.chat, replacing), JSONValue.object(body).serialized
            )
            request.method = .patch
        } else {
            body.set("nonce", .string(message.nonce))
            body.set("enforce_nonce", .bool(true))
            body.set(
                "message_reference",
                message.repliesToMessage.map { id in
                    .object(JSONObject(["message_id": .string(id), "fail_if_not_exists": .bool(false)]))
                })
            let url = context.settings.url(.discordMessages, message.target.chat)
            if let file = message.file {
                body.set(
                    "attachments",
                    .array([.object(JSONObject(["id": .integer(0), "filename": .string(file.fileName)]))]))
                let payload = String(decoding: JSONValue.object(body).serialized, as: UTF8.self)
                request = HTTPRequest.form(
                    url,
                    [
                        FormPart(name: "payload_json", data: Data(payload.utf8), contentType: "application/json"),
                        .file("files[0]", file.data ?? Data(), fileName: file.fileName, contentType: file.contentType),
                    ])
            } else {
                request = HTTPRequest.json(url, JSONValue.object(body).serialized)
            }
        }
        request.headers += Self.headers(context.settings)
        let response = try await context.send(request, uploading: message.file != nil && message.replacing == nil)
        let buckets = RateBuckets.of(message)
        if response.status == 429 {
            let answer = ClientContext.object(response.body)
            let wait = Duration.providerWait(answer?["retry_after"]?.numberValue ?? response.retryAfterSeconds)
            let global = answer?["global"] == .bool(true) || response.headers["x-ratelimit-global"] == "true"
            return .slowDown(after: wait, bucket: global ? buckets.bot?.key ?? buckets.chat.key : buckets.chat.key)
        }
        if (200..<300).contains(response.status) {
            let answer = ClientContext.object(response.body)
            let id = answer?["id"]?.stringValue ?? message.replacing
            // A nonce sent before returns the message it posted then, with the text it had: a live reply's
            // first text, say, when the final text comes in its place. Put the text in it.
            if message.replacing == nil, let id, let posted = answer?["content"]?.stringValue, posted != message.text {
                var correction = message
                correction.replacing = id
                return try await deliver(correction)
            }
            return .delivered(messageID: id)
        }
        return context.byStatus(response, to: message, bucket: buckets.chat.key, provider: "discord")
    }
}
