import Foundation
import JSON
import Queue
import Testing

@testable import Enqueuer

/// Each provider's webhook check against the examples its documentation publishes (Slack's signature,
/// Feishu's decryption, WeCom's URL verification) and against vectors computed independently with
/// Python's hmac/hashlib and the openssl command (Feishu's signature and encrypted event, WeCom's
/// encrypted message, DingTalk's sign), plus what must be refused.
@Suite("Webhook authenticity checks")
struct WebhookGateTests {
    static func at(seconds: Int64) -> Timestamp { Timestamp(millisecondsSince1970: seconds * 1_000) }

    // MARK: Slack

    /// docs.slack.dev, "Verifying requests from Slack".
    static let slackSecret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let slackBody = Data(
        ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c").utf8)
    static let slackSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    static let slackGate = WebhookGate(secrets: [.slack: ["signing_secret": slackSecret]])

    static func slackRequest(
        signature: String? = slackSignature, timestamp: String? = "1531420618", body: Data = slackBody
    ) -> WebhookRequest {
        var headers: [String: String] = [:]
        headers["x-slack-signature"] = signature
        headers["x-slack-request-timestamp"] = timestamp
        return WebhookRequest(method: "POST", headers: headers, body: body)
    }

    @Test("Slack's documented example passes, within five minutes either way")
    func slackExample() {
        for offset: Int64 in [0, 299, -299] {
            #expect(
                Self.slackGate.check(.slack, Self.slackRequest(), now: Self.at(seconds: 1_531_420_618 + offset))
                    == .deliver(Self.slackBody))
        }
    }

    @Test("Slack: a tampered body, a wrong secret, a missing header or a replay is refused")
    func slackRefusals() {
        let now = Self.at(seconds: 1_531_420_618)
        var tampered = Self.slackBody
        tampered[tampered.startIndex] = UInt8(ascii: "T")
        #expect(Self.slackGate.check(.slack, Self.slackRequest(body: tampered), now: now) == .refuse)
        let wrongSecret = WebhookGate(secrets: [.slack: ["signing_secret": "8f742231b10e8888abcd99yyyzzz85a6"]])
        #expect(wrongSecret.check(.slack, Self.slackRequest(), now: now) == .refuse)
        #expect(Self.slackGate.check(.slack, Self.slackRequest(signature: nil), now: now) == .refuse)
        #expect(Self.slackGate.check(.slack, Self.slackRequest(timestamp: nil), now: now) == .refuse)
        #expect(Self.slackGate.check(.slack, Self.slackRequest(timestamp: "1531420619"), now: now) == .refuse)
        #expect(
            Self.slackGate.check(
                .slack, Self.slackRequest(signature: "v0=" + String(repeating: "0", count: 64)), now: now)
                == .refuse)
        // The same signed request replayed 301 s later, or dated 301 s ahead.
        #expect(
            Self.slackGate.check(.slack, Self.slackRequest(), now: Self.at(seconds: 1_531_420_618 + 301)) == .refuse)
        #expect(
            Self.slackGate.check(.slack, Self.slackRequest(), now: Self.at(seconds: 1_531_420_618 - 301)) == .refuse)
    }

    /// Timestamps no provider sends, which once trapped the window check ("arithmetic overflow") before
    /// the signature was looked at: each is refused, whatever the clock says.
    static let hostileTimestampHeaders = [
        "-9223372036854775000", "-9223372036854775808", "9223372036854775807", "-1", "0",
        "99999999999999999999", "-99999999999999999999", "+1531420618", " 1531420618", "1e9", "",
    ]

    @Test("Slack and DingTalk: hostile timestamps are refused, never trapping", arguments: hostileTimestampHeaders)
    func hostileTimestamps(timestamp: String) {
        for now in [
            Self.at(seconds: 1_531_420_618), Timestamp(millisecondsSince1970: .max), .init(millisecondsSince1970: .min),
        ] {
            #expect(Self.slackGate.check(.slack, Self.slackRequest(timestamp: timestamp), now: now) == .refuse)
            #expect(Self.dingTalkGate.check(.dingtalk, Self.dingTalkRequest(timestamp: timestamp), now: now) == .refuse)
        }
    }

    @Test("A replay window measures the distance either way without overflow, at every boundary")
    func replayWindow() {
        let window = ReplayWindow(width: 300)
        #expect(window.contains(1_000, now: 1_300) && window.contains(1_300, now: 1_000))
        #expect(!window.contains(999, now: 1_300) && !window.contains(1_301, now: 1_000))
        #expect(window.contains(.min, now: .min) && window.contains(.max, now: .max))
        #expect(window.contains(.min + 300, now: .min) && !window.contains(.min + 301, now: .min))
        #expect(window.contains(.max - 300, now: .max) && !window.contains(.max - 301, now: .max))
        #expect(!window.contains(.min, now: .max) && !window.contains(.max, now: .min))
        #expect(!window.contains(.min, now: 1_531_420_618) && !window.contains(.max, now: -1))
        #expect(!window.contains(-1, now: .max) && !window.contains(0, now: .min))
        // A distance of exactly 2^63, Int64.min's magnitude, is representable only unsigned: outside a
        // window of 300, inside the widest one; a distance that overflows is outside even that.
        #expect(!window.contains(.max, now: -1) && !window.contains(0, now: .min))
        let widest = ReplayWindow(width: .max)
        #expect(widest.contains(.max, now: -1) && widest.contains(0, now: .min))
        #expect(!widest.contains(.min, now: .max) && !widest.contains(-1, now: .max))
    }

    // MARK: Telegram

    @Test("Telegram: the secret token header must match exactly")
    func telegram() {
        let gate = WebhookGate(secrets: [.telegram: ["secret_token": "tg-Secret_1"]])
        let body = Data(#"{"update_id":1}"#.utf8)
        func request(_ header: String?) -> WebhookRequest {
            WebhookRequest(
                method: "POST", headers: header.map { ["x-telegram-bot-api-secret-token": $0] } ?? [:], body: body)
        }
        let now = Self.at(seconds: 0)
        #expect(gate.check(.telegram, request("tg-Secret_1"), now: now) == .deliver(body))
        #expect(gate.check(.telegram, request("tg-Secret_2"), now: now) == .refuse)
        #expect(gate.check(.telegram, request("tg-Secret_1 "), now: now) == .refuse)
        #expect(gate.check(.telegram, request(""), now: now) == .refuse)
        #expect(gate.check(.telegram, request(nil), now: now) == .refuse)
    }

    // MARK: DingTalk

    static let dingTalkGate = WebhookGate(secrets: [.dingtalk: ["app_secret": "dingtalk-app-secret"]])
    static let dingTalkSign = "lW6jhOe5Ny/pjWqtZyd41zgbxdzsTg9km1wJVusMs4E="

    static func dingTalkRequest(timestamp: String? = "1732262400000", sign: String? = dingTalkSign) -> WebhookRequest {
        var headers: [String: String] = [:]
        headers["timestamp"] = timestamp
        headers["sign"] = sign
        return WebhookRequest(method: "POST", headers: headers, body: Data("{}".utf8))
    }

    @Test("DingTalk: the sign over timestamp and secret passes within an hour, and nothing else does")
    func dingTalk() {
        let signedAt: Int64 = 1_732_262_400
        #expect(
            Self.dingTalkGate.check(.dingtalk, Self.dingTalkRequest(), now: Self.at(seconds: signedAt + 3_599))
                == .deliver(Data("{}".utf8)))
        #expect(
            Self.dingTalkGate.check(.dingtalk, Self.dingTalkRequest(), now: Self.at(seconds: signedAt + 3_601))
                == .refuse)
        #expect(
            Self.dingTalkGate.check(.dingtalk, Self.dingTalkRequest(), now: Self.at(seconds: signedAt - 3_601))
                == .refuse)
        let now = Self.at(seconds: signedAt)
        #expect(
            Self.dingTalkGate.check(.dingtalk, Self.dingTalkRequest(timestamp: "1732262400001"), now: now) == .refuse)
        #expect(Self.dingTalkGate.check(.dingtalk, Self.dingTalkRequest(timestamp: nil), now: now) == .refuse)
        #expect(Self.dingTalkGate.check(.dingtalk, Self.dingTalkRequest(sign: nil), now: now) == .refuse)
        let wrongSecret = WebhookGate(secrets: [.dingtalk: ["app_secret": "dingtalk-app-secreT"]])
        #expect(wrongSecret.check(.dingtalk, Self.dingTalkRequest(), now: now) == .refuse)
    }

    // MARK: Feishu

    static let feishuToken = "feishu-verification-token"
    static let feishuKey = "feishu-encrypt-key"
    static let feishuEvent = Data(
        #"{"encrypt":"AAECAwQFBgcICQoLDA0ODw2NufmkD4WnAuRKvInfpo+0buefK8IKXlEX4MlalCSwhS41GkHiE0CcBLP/EXGZOGjkILS6BKb5ZtA8PMmYWoRFIaXR8owrljfs84SNoZJyUOLy/PTP4zcFriRygMchqsYSfK9MXfY61L49SkxH6PJEt84rhOe5E1FaTU0Fzl053McmduGYAPMPk46SxphArkIlQox2JVrerr2wB43k1s3eSulW67c86m3TKZGzLwqk7cALsKTDn6OIxC3mVgPEc6++ZECKnWka71yU8TBWW1dTq3BC1yMRhsnXXmrRrC8labkWriSgkA2RnV7Ze7Xsp7gGFjdbcFpeWbDgAsilTh4mdb+jhNahNu7hYREB9xWVzAlJ4dSQPPzQcWt1j1gWumJmlkDKLXz1Toxgtqo2wvCnKm2LxV1BCL3J/1huOi93U2V+C+9ECf0A6T6/mdorPFcQTpzt0SlI+cLxd/46cxowdNQj8JlYW3tT6RookYfSgZLNS4ETei9EK+hNocA+U2JJ6+3OgbwnlEvgHCKZddeotpD0UR2q2recoaGCgOBG4xi4DbfpPkUk9p+bnBr6gDqjXmkCb9bXtCkWPdFJ30VKXYskr49Ug/wTu7E/FQxJXCH6q70kr5IbVn/UHwErNuAkAkZyvKqrYEQAEbsi08OjjkH45hfSYTIdKYg4oek9noIh2IfDQhIAp0wk2CO8ZcCPLTPM/lfQNlvmxT7yfIxTiMnEJmLRB4PT7SVxIveHZBfhpQH7KJ+Z9MRj3XmSyygYiMjR9jTcB9nxSC+Ph8eGs9ztHzFs7ZHbl5VgFke4R3KYR4NE1hyCImi6/3jUQ7MFXESKAS7P82D2+iu+gJ3dfHlS8MShsLNYO1fbb/w1vrGnXwrpjrfGPNUg1002hQ=="}"#
            .utf8)
    static let feishuSignature = "ca83058b07b986d599e93205b4a21b5dd3c99a024ad111574952fa800f1a49a6"
    static let feishuChallenge = Data(
        #"{"encrypt":"AAECAwQFBgcICQoLDA0OD4gSc2FGNYboX+ocsO1ofa+SEmo9PbKNSjXmq2Ak84c+K03yWU9p0W8YUpOuYi3m1OtVknPULhxuSfdcgczzYE5/knvbGH25GdP8WoDQAYEnGNUwlmBwaM6Sj6BU1epgxQ=="}"#
            .utf8)
    static let feishuGate = WebhookGate(
        secrets: [.feishu: ["verification_token": feishuToken, "encrypt_key": feishuKey]])

    static func feishuRequest(
        _ body: Data = feishuEvent, timestamp: String? = "1732262400", nonce: String? = "a1b2c3d4",
        signature: String? = feishuSignature
    ) -> WebhookRequest {
        var headers: [String: String] = [:]
        headers["x-lark-request-timestamp"] = timestamp
        headers["x-lark-request-nonce"] = nonce
        headers["x-lark-signature"] = signature
        return WebhookRequest(method: "POST", headers: headers, body: body)
    }

    @Test("Feishu's documented decryption example: \"test key\" opens to \"hello world\"")
    func feishuDocumentedDecryption() {
        #expect(
            FeishuWebhook.decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", key: "test key")
                == Data("hello world".utf8))
        #expect(FeishuWebhook.decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", key: "test kez") == nil)
    }

    @Test("Feishu: an encrypted, signed event is decrypted and normalises as the message it holds")
    func feishuEncryptedEvent() throws {
        guard case .deliver(let plain) = Self.feishuGate.check(.feishu, Self.feishuRequest(), now: Self.at(seconds: 0))
        else {
            Issue.record("the signed event was not delivered")
            return
        }
        let normalised = try PayloadNormaliser.normalise(
            provider: .feishu, body: plain, receivedAt: Self.at(seconds: 0))
        guard case .message(let event) = normalised else {
            Issue.record("expected a message, got \(normalised)")
            return
        }
        #expect(event.text == #"hello "bot""#)
    }

    @Test("Feishu: a wrong signature, key or token, or a missing header, is refused")
    func feishuRefusals() {
        let now = Self.at(seconds: 0)
        #expect(
            Self.feishuGate.check(.feishu, Self.feishuRequest(signature: String(repeating: "0", count: 64)), now: now)
                == .refuse)
        #expect(Self.feishuGate.check(.feishu, Self.feishuRequest(nonce: "a1b2c3d5"), now: now) == .refuse)
        #expect(Self.feishuGate.check(.feishu, Self.feishuRequest(signature: nil), now: now) == .refuse)
        #expect(Self.feishuGate.check(.feishu, Self.feishuRequest(timestamp: nil), now: now) == .refuse)
        let wrongKey = WebhookGate(secrets: [
            .feishu: ["verification_token": Self.feishuToken, "encrypt_key": "feishu-encrypt-kez"]
        ])
        #expect(wrongKey.check(.feishu, Self.feishuRequest(), now: now) == .refuse)
        let wrongToken = WebhookGate(secrets: [.feishu: ["verification_token": "other", "encrypt_key": Self.feishuKey]])
        #expect(wrongToken.check(.feishu, Self.feishuRequest(), now: now) == .refuse)
        // Plain JSON where the configuration expects encryption.
        #expect(
            Self.feishuGate.check(
                .feishu, Self.feishuRequest(Data(#"{"token":"feishu-verification-token"}"#.utf8)), now: now) == .refuse)
    }

    @Test("Feishu: the encrypted URL challenge is opened and its token checked; unencrypted, the token alone")
    func feishuChallengeAndPlain() throws {
        let now = Self.at(seconds: 0)
        guard
            case .deliver(let plain) = Self.feishuGate.check(
                .feishu, Self.feishuRequest(Self.feishuChallenge, signature: nil), now: now)
        else {
            Issue.record("the challenge was not delivered")
            return
        }
        #expect(
            try PayloadNormaliser.normalise(provider: .feishu, body: plain, receivedAt: now)
                == .verification(challenge: "ch-5c1e"))
        let plainGate = WebhookGate(secrets: [.feishu: ["verification_token": Self.feishuToken]])
        let body = Data(#"{"challenge":"c","token":"feishu-verification-token","type":"url_verification"}"#.utf8)
        #expect(plainGate.check(.feishu, WebhookRequest(method: "POST", body: body), now: now) == .deliver(body))
        let forged = Data(#"{"challenge":"c","token":"feishu-verification-tokem","type":"url_verification"}"#.utf8)
        #expect(plainGate.check(.feishu, WebhookRequest(method: "POST", body: forged), now: now) == .refuse)
        #expect(
            plainGate.check(
                .feishu, WebhookRequest(method: "POST", body: Data(#"{"type":"url_verification"}"#.utf8)), now: now)
                == .refuse)
    }

    // MARK: WeCom

    /// The URL-verification example of WeCom's "加解密方案说明" (callback encryption) documentation.
    static let weComDocumented = WebhookGate(
        secrets: [
            .wecom: [
                "token": "QDG6eK", "encoding_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
                "corp_id": "wx5823bf96d3bd56c7",
            ]
        ])
    static let weComEcho = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="

    static func weComVerification(
        signature: String = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", echo: String = weComEcho
    ) -> WebhookRequest {
        WebhookRequest(
            method: "GET",
            query: ["msg_signature": signature, "timestamp": "1409659589", "nonce": "263014780", "echostr": echo],
            body: Data())
    }

    @Test("WeCom's documented URL verification answers the decrypted echostr")
    func weComVerification() {
        let now = Self.at(seconds: 0)
        #expect(
            Self.weComDocumented.check(.wecom, Self.weComVerification(), now: now)
                == .answer(Data("1616140317555161061".utf8)))
        #expect(
            Self.weComDocumented.check(
                .wecom, Self.weComVerification(signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4"), now: now)
                == .refuse)
        let otherCorp = WebhookGate(
            secrets: [
                .wecom: [
                    "token": "QDG6eK", "encoding_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
                    "corp_id": "wx0000000000000000",
                ]
            ])
        #expect(otherCorp.check(.wecom, Self.weComVerification(), now: now) == .refuse)
        let otherToken = WebhookGate(
            secrets: [
                .wecom: [
                    "token": "QDG6eL", "encoding_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
                    "corp_id": "wx5823bf96d3bd56c7",
                ]
            ])
        #expect(otherToken.check(.wecom, Self.weComVerification(), now: now) == .refuse)
    }

    static let weComBody = Data(
        #"{"encrypt":"sKqRbbiSUnDhFHOvPjtUMQsjLFGCi3ilCtpD/FCz4Ks6SIc2UMk1xOCikfpVBNRxBC0xzcCW8Su7+JDPLC0Y/KOLtkFQvNrGq5+6bJ+YHg3mM5MeUBvD/Xavir8g8AJCLyk6ZL2QZCt/1JypHBkM99VAxCX7v4D3IFwNE9o0CQV3dxb6Oelj9anyFWkV/FoN6gLMMs7mj/a6GYJjfMF+bs+Gp/c2RSLXqlXtg1HDxF5NZ2brQgrLmR7LQcxhEpKgiw4NBgwa6kRwMjoZ6ALyVIZQZKn85RLoLXMzQ+LSCo55hPjS0qX96D9dSy9K5fRFFWHXH1i4PrKkcAr7xcJNQf0BPS0w4YmJqiceDct2J9P4TgCXeuW52xM7NwS6+38De5TcyNsRR1T11WjC59wvhVw59C8JTK+eUq+8gxYQ8oM="}"#
            .utf8)

    static func weComMessage(signature: String = "78a5c8f4c54d93a256fbcb8df8972d78ae27defe", body: Data = weComBody)
        -> WebhookRequest
    {
        WebhookRequest(
            method: "POST", query: ["msg_signature": signature, "timestamp": "1732262500", "nonce": "1372623149"],
            body: body)
    }

    @Test("WeCom: an encrypted AI-bot message is opened to the JSON it holds; a forged one is refused")
    func weComMessage() throws {
        let now = Self.at(seconds: 0)
        let fixture = try Fixture(.wecom, "single_text").data
        let trimmed = Data(
            String(decoding: fixture, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        #expect(Self.weComDocumented.check(.wecom, Self.weComMessage(), now: now) == .deliver(trimmed))
        #expect(
            Self.weComDocumented.check(
                .wecom, Self.weComMessage(signature: String(repeating: "0", count: 40)), now: now) == .refuse)
        var tampered = String(decoding: Self.weComBody, as: UTF8.self)
        tampered = tampered.replacingOccurrences(of: "sKqR", with: "sKqS")
        #expect(Self.weComDocumented.check(.wecom, Self.weComMessage(body: Data(tampered.utf8)), now: now) == .refuse)
        var missing = Self.weComMessage()
        missing.query["nonce"] = nil
        #expect(Self.weComDocumented.check(.wecom, missing, now: now) == .refuse)
    }

    // MARK: Configuration and bearer intake

    @Test("A provider without its secret is not configured: never accepted unchecked")
    func notConfigured() {
        let gate = WebhookGate(secrets: [
            .telegram: ["secret_token": ""], .wecom: ["token": "t"], .slack: ["bot_token": "x"],
        ])
        let request = WebhookRequest(method: "POST", body: Data("{}".utf8))
        for provider in Provider.allCases {
            #expect(gate.check(provider, request, now: Self.at(seconds: 0)) == .notConfigured, "\(provider)")
        }
    }

    @Test("Bearer intake: the token must match; without one configured the route is closed")
    func bearer() {
        let body = Data("{}".utf8)
        func request(_ authorization: String?) -> WebhookRequest {
            WebhookRequest(method: "POST", headers: authorization.map { ["authorization": $0] } ?? [:], body: body)
        }
        #expect(WebhookGate.checkBearer(request("Bearer intake-token"), token: "intake-token") == .deliver(body))
        #expect(WebhookGate.checkBearer(request("Bearer intake-tokem"), token: "intake-token") == .refuse)
        #expect(WebhookGate.checkBearer(request("Basic intake-token"), token: "intake-token") == .refuse)
        #expect(WebhookGate.checkBearer(request(nil), token: "intake-token") == .refuse)
        #expect(WebhookGate.checkBearer(request("Bearer intake-token"), token: nil) == .notConfigured)
        #expect(WebhookGate.checkBearer(request("Bearer "), token: "") == .notConfigured)
    }
}
