import Enqueuer
import Foundation
import Queue

/// The demo's webhook deliveries, shaped like each provider's real payloads.
enum DemoStream {
    static func deliveries(code: String) -> [(String, Delivery)] {
        let slack = { (id: Int, text: String) in
            #"{"type":"event_callback","team_id":"T0EXAMPLE1","event_id":"Ev\#(id)","event":{"type":"message","user":"U0ADA","channel":"C0GENERAL","text":"\#(text)","ts":"1732262400.00\#(id)","channel_type":"channel","client_msg_id":"c\#(id)"}}"#
        }
        let telegram = { (id: Int, text: String) in
            #"{"update_id":\#(650_000 + id),"message":{"message_id":\#(id),"from":{"id":7744552,"is_bot":false,"first_name":"Ada"},"chat":{"id":7744552,"type":"private"},"date":1732262400,"text":"\#(text)"}}"#
        }
        let discord =
            #"{"op":0,"s":1,"t":"MESSAGE_CREATE","d":{"id":"1310512345678901249","channel_id":"1210987654321098765","guild_id":"81384788765712384","author":{"id":"80351110224678912","username":"ada"},"content":"Is the build green?","type":0}}"#
        let discordBot =
            #"{"op":0,"s":2,"t":"MESSAGE_CREATE","d":{"id":"1310512345678901250","channel_id":"1210987654321098765","guild_id":"81384788765712384","author":{"id":"1300000000000000001","bot":true},"content":"Build is green.","type":0}}"#
        let wechat =
            #"{"message_id":7350015523917316600,"from_user_id":"o9cq80_Qf@im.wechat","message_type":1,"context_token":"AARzJWAF","item_list":[{"type":1,"text_item":{"text":"What's the weather like?"}}]}"#
        let items: [(String, Provider, String)] = [
            ("slack #general: summarise the incident", .slack, slack(1, "Can someone summarise yesterday's incident?")),
            (
                "slack #general: same message, redelivered", .slack,
                slack(1, "Can someone summarise yesterday's incident?")
            ),
            ("slack #general: and the root cause?", .slack, slack(2, "And what was the root cause?")),
            ("telegram DM (not linked yet): hello", .telegram, telegram(1, "Hello bot")),
            ("telegram DM: /start CODE", .telegram, telegram(2, "/start \(code)")),
            ("telegram DM: hello again", .telegram, telegram(3, "Hello again, now that we are linked")),
            ("telegram DM: same message, redelivered", .telegram, telegram(3, "Hello again, now that we are linked")),
            ("discord (server not linked): build status", .discord, discord),
            ("discord: the bot's own message", .discord, discordBot),
            ("wechat DM (not linked): weather", .wechat, wechat),
        ]
        return items.map { ($0.0, Delivery(provider: $0.1, body: Data($0.2.utf8))) }
    }
}
