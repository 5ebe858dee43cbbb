import Enqueuer
import Foundation
import JSON
import Testing
import WebSocket
import Workers

/// The socket sessions as the state machines they are: frames in, what the receiver should do out.
@Suite("Socket sessions")
struct SocketSessionTests {
    private func text(_ json: String) -> WebSocketMessage { .text(json) }

    private func object(_ message: WebSocketMessage) -> JSONObject? {
        (try? JSONParser.parse(message.bytes))?.objectValue
    }

    @Test("Discord: HELLO starts the heartbeat and IDENTIFY; READY and each message record the position")
    func discordIdentifies() throws {
        let session = DiscordSession(identity: DiscordIdentity(token: "tok", intents: 37377), resuming: nil)
        let hello = session.read(text(#"{"op":10,"d":{"heartbeat_interval":41250}}"#))
        guard case .heartbeat(let interval, let first)? = hello.first else {
            Issue.record("HELLO did not start a heartbeat: \(hello)")
            return
        }
        #expect(interval == .milliseconds(41250))
        #expect(first.compactMap { object($0)?["op"]?.integerValue } == [1, 2])
        #expect(session.beat() == nil, "the first heartbeat is unanswered yet: the connection is a zombie")

        let ready = session.read(
            text(
                #"{"op":0,"t":"READY","s":1,"d":{"session_id":"s1","resume_gateway_url":"wss://r.example","application":{"id":"42"}}}"#
            ))
        guard case .record(let none, _, let position?)? = ready.first, none.isEmpty else {
            Issue.record("READY recorded no position: \(ready)")
            return
        }
        #expect(
            DiscordPosition(json: position)
                == DiscordPosition(sessionID: "s1", resumeURL: "wss://r.example", sequence: 1, applicationID: "42"))
        let direct = session.read(
            text(
                #"{"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":"9","channel_id":"C","author":{"id":"7"},"content":"hi","type":0}}"#
            ))
        guard case .record(let deliveries, let acks, let after?)? = direct.first, acks.isEmpty else {
            Issue.record("a message was not recorded: \(direct)")
            return
        }
        #expect(DiscordPosition(json: after)?.sequence == 2)
        let body = try #require((try? JSONParser.parse(deliveries[0].body))?.objectValue)
        #expect(body["application_id"] == .string("42"), "a direct message carries the bot that received it")
    }

    @Test("Discord: a stored position resumes; op 9 false and close codes 4007/4009 forget it; 4004 stops")
    func discordResumesAndForgets() {
        let position = DiscordPosition(sessionID: "s1", resumeURL: "wss://r", sequence: 5, applicationID: nil)
        let session = DiscordSession(identity: DiscordIdentity(token: "tok", intents: 1), resuming: position)
        let hello = session.read(text(#"{"op":10,"d":{"heartbeat_interval":1000}}"#))
        guard case .heartbeat(_, let first)? = hello.first, let resume = first.last.flatMap(object) else {
            Issue.record("no RESUME")
            return
        }
        #expect(resume["op"] == .integer(6))
        #expect(resume["d"]?.objectValue?["seq"] == .integer(5))
        for input in [
            session.read(text(#"{"op":9,"d":false}"#)),
            session.closed(WebSocketClosure(code: 4009, reason: "", byUs: false)),
        ] {
            guard case .record(let none, _, "")? = input.first, none.isEmpty, case .reconnect? = input.last else {
                Issue.record("the session was not forgotten: \(input)")
                continue
            }
        }
        guard case .stop(let error)? = session.closed(WebSocketClosure(code: 4004, reason: "", byUs: false)).first
        else {
            Issue.record("4004 did not stop")
            return
        }
        #expect(error.isFatal && error.description.contains("providers.discord.bot_token"))
        #expect(session.closed(WebSocketClosure(code: 1006, reason: "", byUs: false)).isEmpty)
    }

    @Test("Feishu: a frame reads back after encoding; an event split in two is recorded once, answered with its frame")
    func feishuFragments() throws {
        let payload = Data(#"{"schema":"2.0","header":{"event_type":"x"}}"#.utf8)
        func part(_ index: Int) -> FeishuFrame {
            FeishuFrame(
                sequenceID: 3, logID: 4, service: 77, method: .data,
                headers: [
                    .init("type", "event"), .init("message_id", "m1"), .init("sum", "2"), .init("seq", "\(index)"),
                ],
                payload: index == 0 ? payload.prefix(10) : payload.dropFirst(10))
        }
        let encoded = part(1).encoded()
        #expect(try FeishuFrame(decoding: encoded) == part(1))
        #expect(throws: FeishuFrameError.self) { try FeishuFrame(decoding: Data([0xFF, 0xFF, 0xFF])) }

        let session = FeishuSession(service: 77, pingInterval: .seconds(120))
        #expect(session.read(.binary(part(1).encoded())).isEmpty, "half an event waits for the other half")
        let inputs = session.read(.binary(part(0).encoded()))
        guard case .record(let deliveries, let acks, nil)? = inputs.first else {
            Issue.record("the whole event was not recorded: \(inputs)")
            return
        }
        #expect(deliveries.map(\.body) == [payload])
        let response = try FeishuFrame(decoding: try #require(acks.first).bytes)
        #expect(response.payload == Data(#"{"code":200}"#.utf8))
        #expect(response.header("message_id") == "m1" && response.header("biz_rt") != nil)
        #expect(response.sequenceID == 3 && response.logID == 4 && response.service == 77)

        let pong = FeishuFrame(
            service: 77, method: .control, headers: [.init("type", "pong")], payload: Data(#"{"PingInterval":15}"#.utf8)
        )
        guard case .heartbeat(let interval, [])? = session.read(.binary(pong.encoded())).first else {
            Issue.record("a pong's configuration did not change the ping interval")
            return
        }
        #expect(interval == .seconds(15))
    }

    @Test("Slack and DingTalk: an event is recorded with its acknowledgement; pings and disconnects are answered")
    func acknowledgedEvents() throws {
        let slack = SlackSocketSession()
        let event = slack.read(text(#"{"envelope_id":"e1","type":"events_api","payload":{"type":"event_callback"}}"#))
        guard case .record(let deliveries, let acks, nil)? = event.first else {
            Issue.record("no record: \(event)")
            return
        }
        #expect(deliveries.count == 1 && acks.compactMap { object($0)?["envelope_id"] } == [.string("e1")])
        guard case .stop(let error)? = slack.read(text(#"{"type":"disconnect","reason":"link_disabled"}"#)).first else {
            Issue.record("link_disabled did not stop")
            return
        }
        #expect(error.isFatal)
        guard
            case .reconnect(_, let after)? = slack.read(text(#"{"type":"disconnect","reason":"too_many_websockets"}"#))
                .first
        else {
            Issue.record("too_many_websockets did not reconnect")
            return
        }
        #expect(after == .seconds(30))

        let dingtalk = DingTalkStreamSession()
        let ping = dingtalk.read(
            text(#"{"type":"SYSTEM","headers":{"topic":"ping","messageId":"p1"},"data":"{\"opaque\":\"o\"}"}"#))
        guard case .send(let echoes)? = ping.first, let echo = echoes.first.flatMap(object) else {
            Issue.record("the ping was not answered")
            return
        }
        #expect(echo["code"] == .integer(200) && echo["data"] == .string(#"{"opaque":"o"}"#))
        #expect(echo["headers"]?.objectValue?["messageId"] == .string("p1"))
    }

    @Test("WeCom: subscribes on open; the subscription's receipt readies the socket; pings and receipts are told apart")
    func wecomSubscribes() throws {
        let session = WeComSession(botID: "bot", secret: "secret")
        let opened = session.opened()
        guard case .send(let frames)? = opened.first, let subscribe = frames.first.flatMap(object) else {
            Issue.record("no subscription: \(opened)")
            return
        }
        #expect(subscribe["cmd"] == .string("aibot_subscribe"))
        let requestID = try #require(subscribe["headers"]?.objectValue?["req_id"]?.stringValue)
        guard case .ready? = session.read(text(#"{"headers":{"req_id":"\#(requestID)"},"errcode":0}"#)).first else {
            Issue.record("the subscription's receipt did not ready the socket")
            return
        }
        #expect(session.beat() != nil && session.beat() != nil)
        #expect(session.beat() == nil, "two pings unanswered: the connection is dropped")
        let callback = session.read(
            text(
                #"{"cmd":"aibot_msg_callback","headers":{"req_id":"r9"},"body":{"msgid":"m","aibotid":"bot","chattype":"single","from":{"userid":"u"},"msgtype":"text","text":{"content":"hi"}}}"#
            ))
        guard case .record(let deliveries, let acks, nil)? = callback.first, acks.isEmpty else {
            Issue.record("the callback was not recorded: \(callback)")
            return
        }
        #expect((try? JSONParser.parse(deliveries[0].body))?.objectValue?["req_id"] == .string("r9"))
        guard
            case .receipt("r9", let failure)? = session.read(
                text(#"{"headers":{"req_id":"r9"},"errcode":846608,"errmsg":"expired"}"#)
            ).first
        else {
            Issue.record("a reply's receipt was not told")
            return
        }
        #expect(failure?.contains("846608") == true)
        let refused = WeComSession(botID: "bot", secret: "wrong")
        let refusedIDs = refused.opened().compactMap { input -> String? in
            guard case .send(let frames) = input else { return nil }
            return frames.first.flatMap(object)?["headers"]?.objectValue?["req_id"]?.stringValue
        }
        let refusedID = try #require(refusedIDs.first)
        guard
            case .stop(let error)? = refused.read(text(#"{"headers":{"req_id":"\#(refusedID)"},"errcode":40001}"#))
                .first
        else {
            Issue.record("a refused subscription did not stop")
            return
        }
        #expect(error.description.contains("providers.wecom.bot_id"))
    }
}
