import Enqueuer
import Foundation
import JSON
import Queue
import Testing

/// What a fixture should normalise to.
struct ExpectedEvent: CustomStringConvertible, Sendable {
    let fixture: (Provider, String)
    let workspace: String?
    let conversation: String
    let thread: String?
    let sender: String
    let isDirect: Bool
    let text: String
    let messageID: String?
    let eventID: String?

    var description: String { "\(fixture.0.rawValue)/\(fixture.1)" }
}

@Suite("Normalising provider payloads")
struct NormaliserTests {
    static let messages: [ExpectedEvent] = [
        ExpectedEvent(
            fixture: (.telegram, "group_message"), workspace: "-1001987654321", conversation: "-1001987654321",
            thread: "12", sender: "7744552", isDirect: false, text: "What did we decide about the mill?",
            messageID: "4417", eventID: "650213851"),
        ExpectedEvent(
            fixture: (.telegram, "private_message"), workspace: "7744552", conversation: "7744552", thread: nil,
            sender: "7744552", isDirect: true, text: "Hello bot", messageID: "88", eventID: "650213852"),
        ExpectedEvent(
            fixture: (.telegram, "edited_message"), workspace: "7744552", conversation: "7744552", thread: nil,
            sender: "7744552", isDirect: true, text: "Hello bot, again", messageID: "88@1732262490",
            eventID: "650213853"),
        ExpectedEvent(
            fixture: (.telegram, "channel_post"), workspace: "-1001112223334", conversation: "-1001112223334",
            thread: nil, sender: "-1001112223334", isDirect: false, text: "New release notes are up",
            messageID: "301", eventID: "650213854"),
        ExpectedEvent(
            fixture: (.slack, "channel_message"), workspace: "T0EXAMPLE1", conversation: "C0EXAMPLE1", thread: nil,
            sender: "U0EXAMPLE1", isDirect: false, text: "Can someone summarise yesterday's incident?",
            messageID: "1732262400.000200", eventID: "Ev0EXAMPLE1"),
        ExpectedEvent(
            fixture: (.slack, "thread_reply"), workspace: "T0EXAMPLE1", conversation: "C0EXAMPLE1",
            thread: "1732262400.000200", sender: "U0EXAMPLE2", isDirect: false,
            text: "And what was the root cause?", messageID: "1732262460.000300", eventID: "Ev0EXAMPLE3"),
        ExpectedEvent(
            fixture: (.slack, "direct_message"), workspace: "T0EXAMPLE1", conversation: "D0EXAMPLE1", thread: nil,
            sender: "U0EXAMPLE1", isDirect: true, text: "/connect Q2hhcmxlc0JhYmJhZ2U",
            messageID: "1732262500.000400", eventID: "Ev0EXAMPLE4"),
        ExpectedEvent(
            fixture: (.discord, "guild_message"), workspace: "81384788765712384",
            conversation: "1210987654321098765", thread: nil, sender: "80351110224678912", isDirect: false,
            text: "Is the build green?", messageID: "1310512345678901249", eventID: nil),
        ExpectedEvent(
            fixture: (.discord, "direct_message"), workspace: nil, conversation: "1310500000000000001",
            thread: nil, sender: "80351110224678912", isDirect: true, text: "hi from a DM",
            messageID: "1310512345678901300", eventID: nil),
        ExpectedEvent(
            fixture: (.feishu, "group_message"), workspace: "oc_5ce6d572455d361153b7xx51da133945",
            conversation: "oc_5ce6d572455d361153b7xx51da133945", thread: nil,
            sender: "ou_84aad35d084aa403a838cf73ee18467", isDirect: false, text: "@_user_1 请总结一下今天的会议",
            messageID: "om_5ce6d572455d361153b7cb51da133945", eventID: "5e3702a84e847582be8db7fb73283c02"),
        ExpectedEvent(
            fixture: (.feishu, "p2p_message"), workspace: "oc_6df7e683566e472264c8yy62eb244056",
            conversation: "oc_6df7e683566e472264c8yy62eb244056", thread: nil,
            sender: "ou_84aad35d084aa403a838cf73ee18467", isDirect: true, text: "hello \"bot\"",
            messageID: "om_6df7e683566e472264c8dc62eb244056", eventID: "6f4813b95f958693cf9ec8gc84394d13"),
        ExpectedEvent(
            fixture: (.dingtalk, "group_text"), workspace: "cid6KeBBLoveMJOGXoYKF5x7EeiodoA==",
            conversation: "cid6KeBBLoveMJOGXoYKF5x7EeiodoA==", thread: nil, sender: "manager4712",
            isDirect: false, text: "What is on the agenda today?", messageID: "msgEhvPm4ZXzU8PJYS6pTgxKw==",
            eventID: nil),
        ExpectedEvent(
            fixture: (.dingtalk, "direct_text"), workspace: "cidDirectAdaXxYyZz==",
            conversation: "cidDirectAdaXxYyZz==", thread: nil, sender: "manager4712", isDirect: true,
            text: "remind me about the review", messageID: "msgDirect7hQwE2rT9yU==", eventID: nil),
        ExpectedEvent(
            fixture: (.wecom, "group_text"), workspace: "AIBOTID_8d7f6e", conversation: "wrkSFfCgAAxxxxxxxxxxxx",
            thread: nil, sender: "zhangsan", isDirect: false, text: "@Switchboard 今天的工单有哪些？",
            messageID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", eventID: nil),
        ExpectedEvent(
            fixture: (.wecom, "single_text"), workspace: "AIBOTID_8d7f6e", conversation: "zhangsan", thread: nil,
            sender: "zhangsan", isDirect: true, text: "hello", messageID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0BB=",
            eventID: nil),
        ExpectedEvent(
            fixture: (.wechat, "text"), workspace: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat",
            conversation: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", thread: nil,
            sender: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", isDirect: true, text: "What's the weather like?",
            messageID: "7350015523917316600", eventID: nil),
        ExpectedEvent(
            fixture: (.telegram, "anonymous_admin"), workspace: "-1001987654321", conversation: "-1001987654321",
            thread: nil, sender: "-1001987654321", isDirect: false, text: "Please pin the meeting notes",
            messageID: "4420", eventID: "650213860"),
        ExpectedEvent(
            fixture: (.telegram, "on_behalf_of_channel"), workspace: "-1001987654321",
            conversation: "-1001987654321", thread: nil, sender: "-1001112223334", isDirect: false,
            text: "Writing as the channel: is the release out?", messageID: "4421", eventID: "650213861"),
        ExpectedEvent(
            fixture: (.wecom, "mixed"), workspace: "AIBOTID_8d7f6e", conversation: "wrkSFfCgAAxxxxxxxxxxxx",
            thread: nil, sender: "zhangsan", isDirect: false,
            text: "@Switchboard what is wrong in this screenshot?\nit appeared after the update",
            messageID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0CC=", eventID: nil),
        ExpectedEvent(
            fixture: (.wechat, "no_message_type"), workspace: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat",
            conversation: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", thread: nil,
            sender: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", isDirect: true,
            text: "is the office open on Sunday?", messageID: "7350015523917316602", eventID: nil),
        ExpectedEvent(
            fixture: (.wechat, "voice_transcript"), workspace: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat",
            conversation: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", thread: nil,
            sender: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", isDirect: true,
            text: "remind me to call the bank at five", messageID: "7350015523917316603", eventID: nil),
        ExpectedEvent(
            fixture: (.wechat, "text_msg_id"), workspace: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat",
            conversation: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", thread: nil,
            sender: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", isDirect: true, text: "and tomorrow?",
            messageID: "7350015523917316601", eventID: nil),
    ]

    @Test("each provider's message normalises to the provider-neutral event", arguments: messages)
    func normalisesMessage(expected: ExpectedEvent) throws {
        let event = try Fixture(expected.fixture.0, expected.fixture.1).event()
        #expect(event.provider == expected.fixture.0)
        #expect(event.workspaceID == expected.workspace)
        #expect(event.conversationID == expected.conversation)
        #expect(event.threadID == expected.thread)
        #expect(event.senderID == expected.sender)
        #expect(event.isDirect == expected.isDirect)
        #expect(event.text == expected.text)
        #expect(event.messageID == expected.messageID)
        #expect(event.eventID == expected.eventID)
        #expect((event.dedupeScope != nil) == (expected.workspace != nil && expected.messageID != nil))
        let roundTrip = try ChatJob.decode(ChatJob.turnPayload(event)).event
        #expect(roundTrip == event, "the job payload carries the whole event")
    }

    @Test(
        "the bot's own messages, joins and other non-message events are ignored with a reason",
        arguments: [
            (Provider.telegram, "bot_message", "bot"), (.telegram, "member_joined", "new_chat_members"),
            (.slack, "bot_message", "bot"), (.slack, "channel_join", "channel_join"),
            (.discord, "bot_message", "bot"), (.discord, "member_join", "type 7"),
            (.discord, "typing_start", "TYPING_START"), (.feishu, "app_message", "bot"),
            (.feishu, "image_message", "image"), (.dingtalk, "picture", "picture"),
            (.wecom, "enter_chat_event", "event"), (.wechat, "bot_message", "bot"),
            (.slack, "message_replied_no_subtype", "message_replied"),
        ]
    )
    func ignored(provider: Provider, fixture: String, reason: String) throws {
        guard case .ignored(let why) = try Fixture(provider, fixture).normalised() else {
            Issue.record("\(provider)/\(fixture) was not ignored")
            return
        }
        #expect(why.contains(reason), "\(why)")
    }

    @Test("subscription checks are recognised and carry their challenge")
    func verification() throws {
        #expect(
            try Fixture(.slack, "url_verification").normalised()
                == .verification(challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
        #expect(try Fixture(.feishu, "url_verification").normalised() == .verification(challenge: "ajls384kdjx98XX"))
    }

    @Test("Slack's message and app_mention events of one message share its dedupe key")
    func slackDualSubscription() throws {
        let message = try Fixture(.slack, "channel_message").event()
        let mention = try Fixture(.slack, "app_mention").event()
        #expect(message.eventID != mention.eventID)
        #expect(try message.dedupeScope?.key() == mention.dedupeScope?.key())
    }

    @Test("client-generated ids never enter the key; server ids do")
    func clientIDsIgnored() throws {
        let slack = try Fixture(.slack, "channel_message")
        let original = try slack.event().dedupeScope?.key()
        let otherClientID = try slack.editing("event.client_msg_id", to: .string("another-client-id")).event()
        #expect(try otherClientID.dedupeScope?.key() == original)
        let otherTS = try slack.editing("event.ts", to: .string("1732262400.000999")).event()
        #expect(try otherTS.dedupeScope?.key() != original, "a different server id is a different message")

        let wechat = try Fixture(.wechat, "text")
        let renamed = try wechat.editing("client_id", to: .string("wx_other")).event()
        #expect(try renamed.dedupeScope?.key() == wechat.event().dedupeScope?.key())
        #expect(try Fixture(.wechat, "client_id_only").event().dedupeScope == nil, "a client id alone gives no key")
    }

    @Test("no workspace means no key: a Discord DM, a Slack event without a team")
    func noWorkspaceNoKey() throws {
        #expect(try Fixture(.discord, "direct_message").event().dedupeScope == nil)
        let event = try Fixture(.slack, "channel_message").editing("team_id", to: nil).editing("event.team", to: nil)
            .event()
        #expect(event.workspaceID == nil)
        #expect(event.dedupeScope == nil)
    }

    @Test("two workspaces with the same channel and message ids never share a key")
    func workspacesDoNotCollapse() throws {
        let slack = try Fixture(.slack, "channel_message")
        let other = try slack.editing("team_id", to: .string("T0OTHERTEAM")).event()
        #expect(try other.dedupeScope?.key() != slack.event().dedupeScope?.key())
    }

    @Test("a Telegram edit is a new message to dedupe, and its redelivery is not")
    func telegramEdit() throws {
        let original = try Fixture(.telegram, "private_message").event()
        let edit = try Fixture(.telegram, "edited_message").event()
        #expect(original.replyTarget.message == edit.replyTarget.message)
        #expect(try original.dedupeScope?.key() != edit.dedupeScope?.key())
        #expect(try edit.dedupeScope?.key() == Fixture(.telegram, "edited_message").event().dedupeScope?.key())
    }

    @Test(
        "malformed payloads are rejected, naming the provider and the field",
        arguments: [
            (Provider.telegram, "group_message", "message.chat.id", nil, "telegram: message.chat.id is missing"),
            (
                .telegram, "group_message", "message.chat.id", JSONValue.bool(true),
                "telegram: message.chat.id must be an id"
            ),
            (.telegram, "private_message", "update_id", .string("1"), "telegram: update_id must be a whole number"),
            (.slack, "channel_message", "event.channel", nil, "slack: event.channel is missing"),
            (.slack, "channel_message", "event.ts", .integer(5), "slack: event.ts must be a string"),
            (.slack, "channel_message", "event", .array([]), "slack: event must be an object"),
            (.discord, "guild_message", "d.author", nil, "discord: d.author is missing"),
            (.discord, "guild_message", "d.id", .array([]), "discord: d.id must be an id"),
            (
                .feishu, "group_message", "event.message.content", .string("not json"),
                "feishu: event.message.content must be a JSON object"
            ),
            (.feishu, "group_message", "schema", .string("1.0"), "feishu: schema must be \"2.0\""),
            (.feishu, "group_message", "header.event_id", nil, "feishu: header.event_id is missing"),
            (.feishu, "group_message", "encrypt", .string("FIAxxx"), "feishu: encrypt is an encrypted body"),
            (.dingtalk, "group_text", "msgId", nil, "dingtalk: msgId is missing"),
            (.dingtalk, "group_text", "conversationType", .string("3"), "dingtalk: conversationType must be"),
            (.dingtalk, "group_text", "text", nil, "dingtalk: text is missing"),
            (.wecom, "group_text", "aibotid", nil, "wecom: aibotid is missing"),
            (.wecom, "group_text", "chattype", .string("channel"), "wecom: chattype must be"),
            (.wecom, "single_text", "from.userid", .integer(5), "wecom: from.userid must be a string"),
            (.wechat, "text", "message_type", .string("1"), "wechat: message_type must be a whole number"),
            (.wechat, "text", "from_user_id", nil, "wechat: from_user_id is missing"),
            (.wechat, "text", "item_list[0]", .string("x"), "wechat: item_list[0] must be an object"),
        ]
    )
    func malformed(provider: Provider, fixture: String, path: String, value: JSONValue?, message: String) throws {
        let edited = try Fixture(provider, fixture).editing(path, to: value)
        let error = #expect(throws: IntakeRejection.self) { try edited.normalised() }
        #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "")")
    }

    @Test("bodies that are not JSON objects, or too large, are rejected as a whole", arguments: Provider.allCases)
    func badBodies(provider: Provider) throws {
        let cases: [(Data, String)] = [
            (Data("{\"update_id\": 1,".utf8), "body is not valid JSON"),
            (Data("[1, 2]".utf8), "body must be a JSON object, not an array"),
            (Data("\u{FEFF}{}".utf8), "body is not valid JSON"),
            (Data(repeating: 0x20, count: (1 << 20) + 1), "body is larger than 1 MiB"),
            (Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]), "not valid UTF-8"),
        ]
        for (body, message) in cases {
            let error = #expect(throws: IntakeRejection.self) { try Fixture(provider, body: body).normalised() }
            #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
            #expect(error?.description.hasPrefix("\(provider.rawValue): ") == true)
        }
    }
}
