import Enqueuer
import Foundation
import HTTPClient
import JSON

/// Slack Web API: `POST {base}/api/chat.postMessage`, in the thread when the inbound message was; an
/// edit is `chat.update` of the message's `ts`. A file is uploaded as Slack's external upload has it:
/// `files.getUploadURLExternal`, the bytes to the URL it gives (the upload), then
/// `files.completeUploadExternal` shares it in the chat with the message's text as its comment (the send).
struct SlackClient: HTTPProviderClient {
    let context: ClientContext

    var edits: Bool { true }

    /// The header every request of the bot carries: its token.
    static func headers(_ settings: ProviderSettings) -> [(name: String, value: String)] {
        [("Authorization", "Bearer \(settings.credential("bot_token"))")]
    }

    /// Errors that mean the request can never succeed as sent.
    private static let permanent: Set<String> = [
        "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission",
        "missing_scope", "channel_not_found", "is_archived", "not_in_channel", "msg_too_long", "no_text",
        "restricted_action", "invalid_arguments", "team_access_not_granted", "message_not_found",
        "cant_update_message", "edit_window_closed",
    ]

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        if let file = message.file, let id = file.uploaded {
            return try await share(id, file, message)
        }
        var body = JSONObject(["channel": .string(message.target.chat), "text": .string(message.text)])
        if let replacing = message.replacing {
            body.set("ts", .string(replacing))
        } else {
            body.set("thread_ts", message.target.thread.map(JSONValue.string))
        }
        let request = HTTPRequest.json(
            context.settings.url(message.replacing == nil ? .slackPost : .slackUpdate),
            JSONValue.object(body).serialized,
            headers: Self.headers(context.settings)
        )
        let answer = try accepted(try await context.send(request), to: message)
        return .delivered(messageID: answer["ts"]?.stringValue ?? message.replacing)
    }

    /// Asks for an upload URL and sends the file's bytes to it; returns the file's id.
    func uploadFile(_ message: OutboundMessage) async throws(SendFailure) -> String? {
        guard let file = message.file else { return nil }
        let name = file.fileName.addingPercentEncoding(withAllowedCharacters: AttachmentLinks.unreserved) ?? "file"
        let ask = HTTPRequest(
            .post, context.settings.url(.slackUploadURL),
            headers: Self.headers(context.settings) + [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data("filename=\(name)&length=\(file.size)".utf8))
        let asked = try accepted(try await context.send(ask), to: message)
        guard let url = asked["upload_url"]?.stringValue, let id = asked["file_id"]?.stringValue else {
            throw SendFailure(
                outcome: .retry("slack: files.getUploadURLExternal answered without upload_url and file_id"))
        }
        try context.checkUploadAddress(url, of: self, provider: "slack")
        let upload = HTTPRequest(
            .post, url, headers: [("Content-Type", "application/octet-stream")], body: file.data ?? Data())
        let response = try await context.send(upload, uploading: true)
        guard response.status == 200 else {
            throw SendFailure(
                outcome: context.byStatus(
                    response, to: message, bucket: RateBuckets.of(message).chat.key, provider: "slack"))
        }
        return id
    }

    /// Shares the uploaded file `id` in the chat, in the thread where the message was, with the message's
    /// text as its comment.
    private func share(_ id: String, _ file: OutboundFile, _ message: OutboundMessage) async throws(SendFailure)
        -> SendOutcome
    {
        var body = JSONObject([
            "files": .array([.object(JSONObject(["id": .string(id), "title": .string(file.fileName)]))]),
            "channel_id": .string(message.target.chat),
        ])
        body.set("thread_ts", message.target.thread.map(JSONValue.string))
        body.set("initial_comment", message.text.isEmpty ? nil : .string(message.text))
        let request = HTTPRequest.json(
            context.settings.url(.slackCompleteUpload), JSONValue.object(body).serialized,
            headers: Self.headers(context.settings))
        _ = try accepted(try await context.send(request), to: message)
        return .delivered(messageID: nil)
    }

    /// Slack's answer to a request for `message` when it is `ok`; otherwise a `SendFailure` with what the
    /// answer comes to: an error by its name (a rate limit slows down, the permanent ones are rejected,
    /// the rest retried), no answer by its status.
    private func accepted(_ response: HTTPResponse, to message: OutboundMessage) throws(SendFailure) -> JSONObject {
        let bucket = RateBuckets.of(message).chat.key
        guard response.status == 200, let answer = ClientContext.object(response.body) else {
            throw SendFailure(outcome: context.byStatus(response, to: message, bucket: bucket, provider: "slack"))
        }
        if answer["ok"] == .bool(true) {
            return answer
        }
        let error = answer["error"]?.stringValue ?? "unknown_error"
        if error == "ratelimited" || error == "rate_limited" {
            throw SendFailure(outcome: .slowDown(after: .providerWait(response.retryAfterSeconds), bucket: bucket))
        }
        throw SendFailure(
            outcome: Self.permanent.contains(error) ? .reject("slack: \(error)") : .retry("slack: \(error)"))
    }
}
