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
    var attachments: [InboundAttachment] = []

    var description: String { "\(fixture.0.rawValue)/\(fixture.1)" }
}

@Suite("Normalising provider payloads")
struct NormaliserTests {
    /// Text messages, and messages with files (`attachmentMessages`).
    static let messages = textMessages + attachmentMessages

    static let textMessages: [ExpectedEvent] = [
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
            messageID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0CC=", eventID: nil,
            attachments: [InboundAttachment(kind: .image, reference: "https://wework.qpic.cn/wwpic/example/0")]),
        ExpectedEvent(
            fixture: (.wechat, "no_message_type"), workspace: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat",
            conversation: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", thread: nil,
            sender: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", isDirect: true,
            text: "is the office open on Sunday?", messageID: "7350015523917316602", eventID: nil),
        ExpectedEvent(
            fixture: (.wechat, "voice_transcript"), workspace: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat",
            conversation: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", thread: nil,
            sender: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", isDirect: true,
            text: "remind me to call the bank at five", messageID: "7350015523917316603", eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .voice, reference: "enc-voice-1", key: "MDEyMzQ1Njc4OWFiY2RlZg==",
                    transcript: "remind me to call the bank at five")
            ]),
        ExpectedEvent(
            fixture: (.wechat, "text_msg_id"), workspace: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat",
            conversation: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", thread: nil,
            sender: "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat", isDirect: true, text: "and tomorrow?",
            messageID: "7350015523917316601", eventID: nil),
    ]

    static let telegramChat = "7744552"
    static let slackFiles = "https://files.slack.com/files-pri/T0EXAMPLE1-"
    static let discordCDN = "https://cdn.discordapp.com/attachments/1210987654321098765/"
    static let discordSignature = "?ex=6740a1b0&is=673f5030&hm=3f1e2d4c5b6a79880f1e2d3c4b5a69788f1e2d3c4b5a6978&"
    static let feishuGroup = "oc_5ce6d572455d361153b7xx51da133945"
    static let feishuP2P = "oc_6df7e683566e472264c8yy62eb244056"
    static let feishuSender = "ou_84aad35d084aa403a838cf73ee18467"
    static let dingTalkGroup = "cid6KeBBLoveMJOGXoYKF5x7EeiodoA=="
    static let dingTalkDirect = "cidDirectAdaXxYyZz=="
    static let weComMedia = "https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/BHoPdA3/"
    static let weChatUser = "o9cq80_QfTAuPpNB2a9Hcwd5Y8mI@im.wechat"

    /// Messages with files: for each provider a photo (or image) alone, a voice note and a document.
    static let attachmentMessages: [ExpectedEvent] = [
        ExpectedEvent(
            fixture: (.telegram, "photo"), workspace: telegramChat, conversation: telegramChat, thread: nil,
            sender: telegramChat, isDirect: true, text: "", messageID: "90", eventID: "650213870",
            attachments: [
                InboundAttachment(kind: .image, reference: "AgACAgQAAxkBAAIBWmdAphotoLarge", declaredSize: 102_400)
            ]),
        ExpectedEvent(
            fixture: (.telegram, "voice"), workspace: telegramChat, conversation: telegramChat, thread: nil,
            sender: telegramChat, isDirect: true, text: "", messageID: "91", eventID: "650213871",
            attachments: [
                InboundAttachment(
                    kind: .voice, reference: "AwACAgQAAxkBAAIBW2dAvoiceNote", contentType: "audio/ogg",
                    declaredSize: 9216)
            ]),
        ExpectedEvent(
            fixture: (.telegram, "document"), workspace: telegramChat, conversation: telegramChat, thread: nil,
            sender: telegramChat, isDirect: true, text: "Can you summarise this?", messageID: "92",
            eventID: "650213872",
            attachments: [
                InboundAttachment(
                    kind: .file, reference: "BQACAgQAAxkBAAIBXGdAdocument", fileName: "Q3 report.pdf",
                    contentType: "application/pdf", declaredSize: 482_133)
            ]),
        ExpectedEvent(
            fixture: (.telegram, "animation"), workspace: telegramChat, conversation: telegramChat, thread: nil,
            sender: telegramChat, isDirect: true, text: "", messageID: "93", eventID: "650213873",
            attachments: [
                InboundAttachment(
                    kind: .video, reference: "CgACAgQAAxkBAAIBXWdAanimation", fileName: "dance.mp4",
                    contentType: "video/mp4", declaredSize: 120_000)
            ]),
        ExpectedEvent(
            fixture: (.telegram, "sticker"), workspace: telegramChat, conversation: telegramChat, thread: nil,
            sender: telegramChat, isDirect: true, text: "", messageID: "94", eventID: "650213874",
            attachments: [
                InboundAttachment(
                    kind: .sticker, reference: "CAACAgIAAxkBAAIBXmdAsticker", contentType: "application/x-tgsticker",
                    declaredSize: 23140)
            ]),
        ExpectedEvent(
            fixture: (.slack, "file_share_image"), workspace: "T0EXAMPLE1", conversation: "C0EXAMPLE1", thread: nil,
            sender: "U0EXAMPLE1", isDirect: false, text: "", messageID: "1732262700.000500",
            eventID: "Ev0EXAMPLE10",
            attachments: [
                InboundAttachment(
                    kind: .image, reference: slackFiles + "F0EXAMPLE1/download/screenshot.png",
                    fileName: "screenshot.png", contentType: "image/png", declaredSize: 52341)
            ]),
        ExpectedEvent(
            fixture: (.slack, "file_share_audio"), workspace: "T0EXAMPLE1", conversation: "C0EXAMPLE1", thread: nil,
            sender: "U0EXAMPLE1", isDirect: false, text: "", messageID: "1732262710.000600",
            eventID: "Ev0EXAMPLE11",
            attachments: [
                InboundAttachment(
                    kind: .audio, reference: slackFiles + "F0EXAMPLE2/download/audio_message.webm",
                    fileName: "audio_message.webm", contentType: "audio/webm", declaredSize: 28672)
            ]),
        ExpectedEvent(
            fixture: (.slack, "file_share_document"), workspace: "T0EXAMPLE1", conversation: "C0EXAMPLE1",
            thread: nil, sender: "U0EXAMPLE1", isDirect: false, text: "What changed in this version?",
            messageID: "1732262720.000700", eventID: "Ev0EXAMPLE12",
            attachments: [
                InboundAttachment(
                    kind: .file, reference: slackFiles + "F0EXAMPLE3/download/contract-v2.pdf",
                    fileName: "contract-v2.pdf", contentType: "application/pdf", declaredSize: 734_003)
            ]),
        ExpectedEvent(
            fixture: (.slack, "file_share_connect"), workspace: "T0EXAMPLE1", conversation: "C0EXAMPLE1",
            thread: nil, sender: "U0EXAMPLE1", isDirect: false, text: "", messageID: "1732262730.000800",
            eventID: "Ev0EXAMPLE13", attachments: [InboundAttachment(kind: .file, reference: nil)]),
        ExpectedEvent(
            fixture: (.discord, "image_attachment"), workspace: "81384788765712384",
            conversation: "1210987654321098765", thread: nil, sender: "80351110224678912", isDirect: false,
            text: "", messageID: "1310600000000000010", eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .image, reference: discordCDN + "1310600000000000001/diagram.png" + discordSignature,
                    fileName: "diagram.png", contentType: "image/png", declaredSize: 81920)
            ]),
        ExpectedEvent(
            fixture: (.discord, "voice_message"), workspace: "81384788765712384",
            conversation: "1210987654321098765", thread: nil, sender: "80351110224678912", isDirect: false,
            text: "", messageID: "1310600000000000011", eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .voice, reference: discordCDN + "1310600000000000002/voice-message.ogg" + discordSignature,
                    fileName: "voice-message.ogg", contentType: "audio/ogg", declaredSize: 15872)
            ]),
        ExpectedEvent(
            fixture: (.discord, "file_attachment"), workspace: "81384788765712384",
            conversation: "1210987654321098765", thread: nil, sender: "80351110224678912", isDirect: false,
            text: "why did this fail?", messageID: "1310600000000000012", eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .file, reference: discordCDN + "1310600000000000003/build.log" + discordSignature,
                    fileName: "build.log", contentType: "text/plain; charset=utf-8", declaredSize: 20480)
            ]),
        ExpectedEvent(
            fixture: (.feishu, "image_message"), workspace: feishuGroup, conversation: feishuGroup, thread: nil,
            sender: feishuSender, isDirect: false, text: "", messageID: "om_8f19g805788g694486e0fe84gd466278",
            eventID: "8b6a35db7bb7a8b5eb1gea0ie06516f35",
            attachments: [InboundAttachment(kind: .image, reference: "img_v2_041b28e3-5680-48c2-9af2-497ace79333g")]),
        ExpectedEvent(
            fixture: (.feishu, "audio_message"), workspace: feishuP2P, conversation: feishuP2P, thread: nil,
            sender: feishuSender, isDirect: true, text: "", messageID: "om_7eg8f794677h583375d9ed73fc355167",
            eventID: "7a5924c06f069704ef0ad9hd95405e24",
            attachments: [
                InboundAttachment(kind: .voice, reference: "file_v3_00ge_3b1a2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5g")
            ]
        ),
        ExpectedEvent(
            fixture: (.feishu, "file_message"), workspace: feishuP2P, conversation: feishuP2P, thread: nil,
            sender: feishuSender, isDirect: true, text: "", messageID: "om_8fh9g805788i694486e0fe84gd466279",
            eventID: "8b6a35db7bb7a8b5eb1gea0ie06516f36",
            attachments: [
                InboundAttachment(
                    kind: .file, reference: "file_v3_00ge_4c2b3d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6g", fileName: "季度报告.pdf")
            ]),
        ExpectedEvent(
            fixture: (.feishu, "media_message"), workspace: feishuP2P, conversation: feishuP2P, thread: nil,
            sender: feishuSender, isDirect: true, text: "", messageID: "om_9gi0h916899j705597f1gf95he577380",
            eventID: "9c7b46ec8cc8b9c6fc2hfb1jf17627g47",
            attachments: [
                InboundAttachment(
                    kind: .video, reference: "file_v3_00ge_5d3c4e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7g", fileName: "demo.mp4")
            ]),
        ExpectedEvent(
            fixture: (.feishu, "sticker_message"), workspace: feishuP2P, conversation: feishuP2P, thread: nil,
            sender: feishuSender, isDirect: true, text: "", messageID: "om_0hj1i027900k816608g2hg06if688491",
            eventID: "0d8c57fd9dd9c0d7gd3igc2kg28738h58",
            attachments: [InboundAttachment(kind: .sticker, reference: nil)]
        ),
        ExpectedEvent(
            fixture: (.feishu, "post_message"), workspace: feishuGroup, conversation: feishuGroup, thread: nil,
            sender: feishuSender, isDirect: false, text: "Login page\nwhat is wrong here? See the status page",
            messageID: "om_1ik2j138011l927719h3ih17jg799502", eventID: "1e9d68ge0ee0d1e8he4jhd3lh39849i69",
            attachments: [
                InboundAttachment(kind: .image, reference: "img_v3_02ge_post-0001"),
                InboundAttachment(kind: .video, reference: "file_v3_00ge_post-0002"),
            ]),
        ExpectedEvent(
            fixture: (.dingtalk, "picture"), workspace: dingTalkGroup, conversation: dingTalkGroup, thread: nil,
            sender: "manager4712", isDirect: false, text: "", messageID: "msgPicture00001==", eventID: nil,
            attachments: [InboundAttachment(kind: .image, reference: "xxxx")]),
        ExpectedEvent(
            fixture: (.dingtalk, "audio"), workspace: dingTalkDirect, conversation: dingTalkDirect, thread: nil,
            sender: "manager4712", isDirect: true, text: "", messageID: "msgAudio00001==", eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .voice, reference: "mIofN681YE3f/+m+NntqpXRdT0BiCzNCCd3bBF6v5Lo=", transcript: "明天上午十点开会")
            ]),
        ExpectedEvent(
            fixture: (.dingtalk, "file"), workspace: dingTalkDirect, conversation: dingTalkDirect, thread: nil,
            sender: "manager4712", isDirect: true, text: "", messageID: "msgFile00001==", eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .file, reference: "qJQk0yfVb2+KhyZnCIhu9cHk9vBDr5V+Efrq7QqTG0Q=", fileName: "预算表.xlsx")
            ]),
        ExpectedEvent(
            fixture: (.dingtalk, "video"), workspace: dingTalkDirect, conversation: dingTalkDirect, thread: nil,
            sender: "manager4712", isDirect: true, text: "", messageID: "msgVideo00001==", eventID: nil,
            attachments: [InboundAttachment(kind: .video, reference: "Vz3fZ9v6uL1H5Y8sI0qg2dYbq6rW1cH4N8xT7oP0aEk=")]),
        ExpectedEvent(
            fixture: (.dingtalk, "rich_text"), workspace: dingTalkGroup, conversation: dingTalkGroup, thread: nil,
            sender: "manager4712", isDirect: false, text: "Which of these two\nis the newer design?",
            messageID: "msgRichText00001==", eventID: nil,
            attachments: [
                InboundAttachment(kind: .image, reference: "rt-code-1"),
                InboundAttachment(kind: .image, reference: "rt-code-2"),
            ]),
        ExpectedEvent(
            fixture: (.wecom, "image"), workspace: "AIBOTID_8d7f6e", conversation: "zhangsan", thread: nil,
            sender: "zhangsan", isDirect: true, text: "", messageID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0DD=",
            eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .image, reference: weComMedia + "7571665296904772241?sign=q-sign-example",
                    key: "bGVnaXRpbWF0ZWx5LWEtMzItYnl0ZS1hZXMta2V5LWhlcmU=")
            ]),
        ExpectedEvent(
            fixture: (.wecom, "voice"), workspace: "AIBOTID_8d7f6e", conversation: "zhangsan", thread: nil,
            sender: "zhangsan", isDirect: true, text: "", messageID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0EE=",
            eventID: nil, attachments: [InboundAttachment(kind: .voice, reference: nil, transcript: "帮我查一下明天的会议")]),
        ExpectedEvent(
            fixture: (.wecom, "file"), workspace: "AIBOTID_8d7f6e", conversation: "zhangsan", thread: nil,
            sender: "zhangsan", isDirect: true, text: "", messageID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0FF=",
            eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .file, reference: weComMedia + "7571665296904772242?sign=q-sign-example2",
                    key: "YW5vdGhlci1sZWdpdGltYXRlLTMyLWJ5dGUtYWVzLWtleSE=")
            ]),
        ExpectedEvent(
            fixture: (.wechat, "image"), workspace: weChatUser, conversation: weChatUser, thread: nil,
            sender: weChatUser, isDirect: true, text: "", messageID: "7350015523917316604", eventID: nil,
            attachments: [
                InboundAttachment(kind: .image, reference: "enc-image-1", key: "00112233445566778899aabbccddeeff")
            ]),
        ExpectedEvent(
            fixture: (.wechat, "file"), workspace: weChatUser, conversation: weChatUser, thread: nil,
            sender: weChatUser, isDirect: true, text: "please check this contract", messageID: "7350015523917316605",
            eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .file, reference: "enc-file-1", key: "NjY3Nzg4OTlhYWJiY2NkZGVlZmYwMDExMjIzMzQ0NTU=",
                    fileName: "contract.docx", declaredSize: 20480)
            ]),
        ExpectedEvent(
            fixture: (.wechat, "video"), workspace: weChatUser, conversation: weChatUser, thread: nil,
            sender: weChatUser, isDirect: true, text: "", messageID: "7350015523917316606", eventID: nil,
            attachments: [
                InboundAttachment(
                    kind: .video,
                    reference: "https://novac2c.cdn.weixin.qq.com/c2c/download?encrypted_query_param=enc-video-1",
                    key: "YWFiYmNjZGRlZWZmMDAxMTIyMzM0NDU1NjY3Nzg4OTk=")
            ]),
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
        #expect(event.attachments == expected.attachments)
        #expect((event.dedupeScope != nil) == (expected.workspace != nil && expected.messageID != nil))
        let roundTrip = try ChatJob.decode(ChatJob.turnPayload(event)).event
        #expect(roundTrip == event, "the job payload carries the whole event")
        #expect(try InboundEvent(json: JSONFields(root: event.json)) == event, "the event's JSON reads back")
    }

    @Test(
        "the bot's own messages, joins and other non-message events are ignored with a reason",
        arguments: [
            (Provider.telegram, "bot_message", "bot"), (.telegram, "member_joined", "new_chat_members"),
            (.slack, "bot_message", "bot"), (.slack, "channel_join", "channel_join"),
            (.discord, "bot_message", "bot"), (.discord, "member_join", "type 7"),
            (.discord, "typing_start", "TYPING_START"), (.feishu, "app_message", "bot"),
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

    @Test(
        "a message that is only a photo is a message, with no text",
        arguments: [
            (Provider.telegram, "photo"), (.slack, "file_share_image"), (.discord, "image_attachment"),
            (.feishu, "image_message"), (.dingtalk, "picture"), (.wecom, "image"), (.wechat, "image"),
        ]
    )
    func photoAlone(provider: Provider, fixture: String) throws {
        guard case .message(let event) = try Fixture(provider, fixture).normalised() else {
            Issue.record("\(provider)/\(fixture) is not a message")
            return
        }
        #expect(event.text == "")
        #expect(event.attachments.map(\.kind) == [.image])
    }

    @Test("a message with neither text nor attachment is still ignored")
    func neitherTextNorAttachment() throws {
        let empty: [Fixture] = [
            try Fixture(.telegram, "private_message").editing("message.text", to: nil),
            try Fixture(.telegram, "photo").editing("message.photo", to: .array([])),
            try Fixture(.slack, "file_share_image").editing("event.files", to: .array([])),
            try Fixture(.discord, "image_attachment").editing("d.attachments", to: .array([])),
            try Fixture(.feishu, "group_message").editing("event.message.content", to: .string(#"{"text":""}"#)),
            try Fixture(.feishu, "post_message").editing("event.message.content", to: .string(#"{"content":[]}"#)),
            try Fixture(.dingtalk, "rich_text").editing("content.richText", to: .array([])),
            try Fixture(.wecom, "mixed").editing("mixed.msg_item", to: .array([])),
            try Fixture(.wechat, "image").editing("item_list", to: .array([])),
        ]
        for fixture in empty {
            guard case .ignored(let reason) = try fixture.normalised() else {
                Issue.record("a \(fixture.provider) message without text or attachment was not ignored")
                continue
            }
            #expect(reason.contains("no text and no attachment"), "\(reason)")
        }
    }

    @Test("attachments: the variants each provider's payload can take")
    func attachmentVariants() throws {
        // Telegram: a sticker's content type follows from its format.
        let sticker = try Fixture(.telegram, "sticker").editing("message.sticker.is_animated", to: .bool(false))
        #expect(try sticker.event().attachments.first?.contentType == "image/webp")
        let videoSticker = try sticker.editing("message.sticker.is_video", to: .bool(true))
        #expect(try videoSticker.event().attachments.first?.contentType == "video/webm")
        // Telegram: an animation's `document` is the same file, listed once.
        #expect(try Fixture(.telegram, "animation").event().attachments.count == 1)
        let document = try Fixture(.telegram, "animation").editing("message.animation", to: nil).event()
        #expect(document.attachments.map(\.kind) == [.file])
        // Slack: `url_private` when there is no download URL.
        let slack = try Fixture(.slack, "file_share_image").editing("event.files[0].url_private_download", to: nil)
        #expect(
            try slack.event().attachments.first?.reference
                == "https://files.slack.com/files-pri/T0EXAMPLE1-F0EXAMPLE1/screenshot.png")
        // Discord: an audio file is a voice note only on a voice message.
        let audio = try Fixture(.discord, "voice_message").editing("d.flags", to: .integer(0)).event()
        #expect(audio.attachments.first?.kind == .audio)
        // WeChat: without the image's own key, its media's; `full_url` before the CDN parameter.
        let image = try Fixture(.wechat, "image").editing("item_list[0].image_item.aeskey", to: nil).event()
        #expect(image.attachments.first?.key == "MDAxMTIyMzM0NDU1NjY3Nzg4OTlhYWJiY2NkZGVlZmY=")
        let unparsedLength = try Fixture(.wechat, "file").editing("item_list[1].file_item.len", to: .string("big"))
        #expect(try unparsedLength.event().attachments.first?.declaredSize == nil)
        // WeCom: over the webhook, a file has no key of its own.
        let webhook = try Fixture(.wecom, "image").editing("image.aeskey", to: nil).event()
        #expect(webhook.attachments.first?.key == nil)
        #expect(webhook.attachments.first?.reference != nil)
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
            (
                .telegram, "photo", "message.photo[2].file_id", .integer(5),
                "telegram: message.photo[2].file_id must be a string"
            ),
            (
                .telegram, "voice", "message.voice.file_size", .string("9216"),
                "telegram: message.voice.file_size must be"
            ),
            (.telegram, "document", "message.document.file_id", nil, "telegram: message.document.file_id is missing"),
            (
                .slack, "file_share_image", "event.files[0].mimetype", .integer(5),
                "slack: event.files[0].mimetype must be a string"
            ),
            (.slack, "file_share_image", "event.files", .object(JSONObject()), "slack: event.files must be an array"),
            (
                .discord, "image_attachment", "d.attachments[0].size", .string("1"),
                "discord: d.attachments[0].size must be a whole number"
            ),
            (.discord, "voice_message", "d.flags", .string("8192"), "discord: d.flags must be a whole number"),
            (
                .feishu, "image_message", "event.message.content", .string(#"{"image_key":5}"#),
                "feishu: event.message.content.image_key must be a string"
            ),
            (
                .feishu, "post_message", "event.message.content", .string(#"{"content":[[{"tag":"img"}]]}"#),
                "feishu: event.message.content.content[0][0].image_key is missing"
            ),
            (.dingtalk, "audio", "content.recognition", .integer(1), "dingtalk: content.recognition must be a string"),
            (.dingtalk, "file", "content.downloadCode", nil, "dingtalk: content.downloadCode is missing"),
            (.wecom, "image", "image.url", .integer(3), "wecom: image.url must be a string"),
            (.wecom, "voice", "voice.content", .array([]), "wecom: voice.content must be a string"),
            (
                .wechat, "file", "item_list[1].file_item.len", .integer(20480),
                "wechat: item_list[1].file_item.len must be a string"
            ),
            (
                .wechat, "image", "item_list[0].image_item.media.encrypt_query_param", .bool(true),
                "wechat: item_list[0].image_item.media.encrypt_query_param must be a string"
            ),
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
