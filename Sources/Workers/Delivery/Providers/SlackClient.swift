import Enqueuer
import Foundation
import JSON

/// Slack Web API: `POST {base}/api/chat.postMessage`, in the thread when the inbound message was.
struct SlackClient: HTTPProviderClient {
    let context: ClientContext

    /// Errors that mean the request can never succeed as sent.
    private static let permanent: Set<String> = [
        "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission",
        "missing_scope", "channel_not_found", "is_archived", "not_in_channel", "msg_too_long", "no_text",
        "restricted_action", "invalid_arguments", "team_access_not_granted",
    ]

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        var body = JSONObject(["channel": .string(message.target.chat), "text": .string(message.text)])
        body.set("thread_ts", message.target.thread.map(JSONValue.string))
        let request = HTTPRequest.json(
            context.settings.url(.slackPost), JSONValue.object(body).serialized,
            headers: [("Authorization", "Bearer \(context.settings.credential("bot_token"))")]
        )
        let response = try await context.send(request)
        let bucket = RateBuckets.of(message).chat.key
        guard response.status == 200, let answer = ClientContext.object(response.body) else {
            return context.byStatus(response, to: message, bucket: bucket, provider: "slack")
        }
        if answer["ok"] == .bool(true) {
            return .delivered
        }
        let error = answer["error"]?.stringValue ?? "unknown_error"
        if error == "ratelimited" || error == "rate_limited" {
            return .slowDown(after: response.retryAfter ?? .seconds(1), bucket: bucket)
        }
        return Self.permanent.contains(error) ? .reject("slack: \(error)") : .retry("slack: \(error)")
    }
}
