import Enqueuer
import Foundation
import HTTPClient
import JSON

/// Slack Web API: `POST {base}/api/chat.postMessage`, in the thread when the inbound message was; an
/// edit is `chat.update` of the message's `ts`.
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
        let response = try await context.send(request)
        let bucket = RateBuckets.of(message).chat.key
        guard response.status == 200, let answer = ClientContext.object(response.body) else {
            return context.byStatus(response, to: message, bucket: bucket, provider: "slack")
        }
        if answer["ok"] == .bool(true) {
            return .delivered(messageID: answer["ts"]?.stringValue ?? message.replacing)
        }
        let error = answer["error"]?.stringValue ?? "unknown_error"
        if error == "ratelimited" || error == "rate_limited" {
            return .slowDown(after: .providerWait(response.retryAfterSeconds), bucket: bucket)
        }
        return Self.permanent.contains(error) ? .reject("slack: \(error)") : .retry("slack: \(error)")
    }
}
