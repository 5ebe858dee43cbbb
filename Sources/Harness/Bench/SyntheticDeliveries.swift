import Enqueuer
import Foundation

/// A stream of webhook deliveries from every provider, shaped like the real payloads, with unique
/// server ids, spread over many conversations, and a share of exact redeliveries.
package struct SyntheticDeliveries {
    package let count: Int
    /// The fraction of deliveries that repeat an earlier one byte for byte.
    package let redeliveryRate: Double
    package var conversations: Int
    /// The providers taken in turn.
    package var providers: [Provider]
    /// The server id of the first delivery; the others count up from it. Streams that must not repeat
    /// each other's messages start far apart.
    package var firstID = 0
    /// Where each Discord message's photo is served (the fake provider's files) and its size; nil sends
    /// text only.
    package var photo: (baseURL: String, bytes: Int)?

    package init(
        count: Int, redeliveryRate: Double, conversations: Int = 1_000, providers: [Provider] = Provider.allCases
    ) {
        self.count = count
        self.redeliveryRate = redeliveryRate
        self.conversations = conversations
        self.providers = providers
    }

    package func make() -> [Delivery] {
        var random = SystemRandomNumberGenerator()
        var deliveries: [Delivery] = []
        deliveries.reserveCapacity(count)
        for index in 0..<count {
            if index > 0, Double.random(in: 0..<1, using: &random) < redeliveryRate {
                deliveries.append(deliveries[Int.random(in: 0..<index, using: &random)])
                continue
            }
            let provider = providers[index % providers.count]
            let chat = Int.random(in: 0..<conversations, using: &random)
            deliveries.append(
                Delivery(provider: provider, body: Data(body(provider, id: firstID + index, chat: chat).utf8)))
        }
        return deliveries
    }

    /// A Discord attachment object for message `id`'s photo, or nothing.
    private func discordPhoto(_ id: Int) -> String {
        guard let photo else { return "" }
        return
            #"{"id":"\#(1_400_000_000_000_000_000 + id)","filename":"photo-\#(id).png","content_type":"image/png","size":\#(photo.bytes),"url":"\#(photo.baseURL)/_fake/files/photo-\#(id).png?bytes=\#(photo.bytes)"}"#
    }

    private func body(_ provider: Provider, id: Int, chat: Int) -> String {
        let text = "Message \(id): could you summarise what was decided about the release?"
        switch provider {
        case .telegram:
            return
                #"{"update_id":\#(900_000_000 + id),"message":{"message_id":\#(id),"from":{"id":\#(7_000_000 + chat),"is_bot":false,"first_name":"Ada","language_code":"en"},"chat":{"id":-100\#(1_000_000_000 + chat),"title":"Team \#(chat)","type":"supergroup"},"date":1732262400,"text":"\#(text)"}}"#
        case .slack:
            return
                #"{"token":"XXYYZZ","team_id":"T0BENCH","api_app_id":"A0BENCH","event":{"client_msg_id":"c-\#(id)","type":"message","text":"\#(text)","user":"U\#(chat)","ts":"1732262400.\#(id)","team":"T0BENCH","channel":"C\#(chat)","event_ts":"1732262400.\#(id)","channel_type":"channel"},"type":"event_callback","event_id":"Ev\#(id)","event_time":1732262400}"#
        case .discord:
            return
                #"{"op":0,"s":\#(id),"t":"MESSAGE_CREATE","d":{"type":0,"tts":false,"timestamp":"2026-11-22T08:00:00.000000+00:00","id":"\#(1_310_000_000_000_000_000 + id)","content":"\#(text)","channel_id":"\#(1_210_000_000_000_000_000 + chat)","author":{"username":"ada","id":"\#(80_351_110_224_678_912 + chat)","discriminator":"0"},"guild_id":"81384788765712384","mentions":[],"attachments":[\#(discordPhoto(id))]}}"#
        case .feishu:
            return
                #"{"schema":"2.0","header":{"event_id":"ev\#(id)","event_type":"im.message.receive_v1","create_time":"1732262400000","app_id":"cli_bench","tenant_key":"tenant"},"event":{"sender":{"sender_id":{"open_id":"ou_\#(chat)"},"sender_type":"user"},"message":{"message_id":"om_\#(id)","chat_id":"oc_\#(chat)","chat_type":"group","message_type":"text","content":"{\"text\":\"\#(text)\"}"}}}"#
        case .dingtalk:
            return
                #"{"conversationId":"cid\#(chat)==","msgId":"msg\#(id)==","senderNick":"Ada","senderStaffId":"staff\#(chat)","conversationType":"2","senderId":"$:LWCP_v1:$\#(chat)","text":{"content":"\#(text)"},"robotCode":"dingbench","msgtype":"text","createAt":1732262400000}"#
        case .wecom:
            return
                #"{"msgid":"msg\#(id)","aibotid":"AIBOT_BENCH","chatid":"wrk\#(chat)","chattype":"group","from":{"userid":"user\#(chat)"},"msgtype":"text","text":{"content":"\#(text)"}}"#
        case .wechat:
            return
                #"{"message_id":\#(7_350_000_000_000_000_000 + id),"from_user_id":"o\#(chat)@im.wechat","to_user_id":"bot@im.bot","client_id":"wx_\#(id)","message_type":1,"message_state":2,"context_token":"ctx\#(chat)","item_list":[{"type":1,"text_item":{"text":"\#(text)"}}]}"#
        }
    }
}
