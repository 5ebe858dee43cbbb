import Enqueuer
import HTTPClient
import JSON

/// Slack's assistant-thread status "is thinking…" (`assistant.threads.setStatus`), which lapses after two
/// minutes or at the bot's next message: set every 90 s in the message's thread, and cleared at the end.
struct SlackTyping: ProviderTyping {
    func shows(_ target: ReplyTarget) -> Bool {
        target.thread ?? target.message != nil
    }

    func requests(
        for target: ReplyTarget, settings: ProviderSettings, ask: (HTTPRequest) async -> HTTPResponse?
    ) async -> TypingRequests? {
        guard let thread = target.thread ?? target.message else { return nil }
        let status = { (text: String) in
            HTTPRequest.json(
                settings.url(.slackThreadStatus),
                JSONValue.object(
                    JSONObject([
                        "channel_id": .string(target.chat), "thread_ts": .string(thread), "status": .string(text),
                    ])
                ).serialized, headers: SlackClient.headers(settings))
        }
        return TypingRequests(request: status("is thinking…"), interval: .seconds(90), clear: status(""))
    }
}
