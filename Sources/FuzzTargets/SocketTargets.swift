import Enqueuer
import Foundation
import WebSocket
import Workers

/// Each socket mode's session, fed what a provider's socket could send: what it records goes through
/// intake like a webhook's body, and what it sends back is well formed.
enum SocketTargets {
    static let all: [FuzzTarget] = [slack, discord, feishu, dingtalk, wecom]

    /// Text messages, one per line of the input, to one session in order.
    private static func messages(_ data: Data) -> [WebSocketMessage] {
        data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { .text(Data($0)) }
    }

    /// Checks what a session asked for: each delivery as intake takes it, one acknowledgement per event
    /// where the provider acknowledges each.
    private static func check(_ inputs: [SocketInput], acksPerEvent: Bool) throws(FuzzFailure) {
        for input in inputs {
            guard case .record(let deliveries, let acks, _) = input else { continue }
            if acksPerEvent {
                try FuzzFailure.check(
                    deliveries.count == 1 && acks.count == 1,
                    "\(deliveries.count) events recorded with \(acks.count) acknowledgements")
            }
            for delivery in deliveries {
                try IntakePath.take(delivery)
            }
        }
    }

    static let slack = FuzzTarget(
        name: "socket-slack", summary: "Slack Socket Mode frames, one per line, to one session"
    ) { data throws(FuzzFailure) in
        let session = SlackSocketSession()
        for message in messages(data) {
            try check(session.read(message), acksPerEvent: true)
        }
    }

    static let dingtalk = FuzzTarget(
        name: "socket-dingtalk", summary: "DingTalk Stream mode frames, one per line, to one session"
    ) { data throws(FuzzFailure) in
        let session = DingTalkStreamSession()
        for message in messages(data) {
            try check(session.read(message), acksPerEvent: true)
        }
    }

    static let discord = FuzzTarget(
        name: "socket-discord",
        summary: "Discord Gateway frames, one per line, to one session; every position it records reads back"
    ) { data throws(FuzzFailure) in
        let session = DiscordSession(identity: DiscordIdentity(token: "fuzz", intents: 37377), resuming: nil)
        for message in messages(data) {
            let inputs = session.read(message)
            try check(inputs, acksPerEvent: false)
            for case .record(_, _, let position?) in inputs where !position.isEmpty {
                try FuzzFailure.check(
                    DiscordPosition(json: position) != nil, "a recorded position does not read back: \(position)")
            }
            _ = session.beat()
        }
    }

    static let feishu = FuzzTarget(
        name: "socket-feishu",
        summary: "a Feishu long-connection frame (protobuf); a frame that decodes encodes back to itself"
    ) { data throws(FuzzFailure) in
        if let frame = try? FeishuFrame(decoding: data) {
            let again = try? FeishuFrame(decoding: frame.encoded())
            try FuzzFailure.check(again == frame, "a frame does not read back after encoding")
        }
        let session = FeishuSession(service: 1, pingInterval: .seconds(120))
        try check(session.read(.binary(data)), acksPerEvent: true)
    }

    static let wecom = FuzzTarget(
        name: "socket-wecom",
        summary: "WeCom AI-bot long-connection frames, one per line, to one session; receipts name their key"
    ) { data throws(FuzzFailure) in
        let session = WeComSession(botID: "fuzzbot", secret: "fuzz")
        _ = session.opened()
        for message in messages(data) {
            let inputs = session.read(message)
            try check(inputs, acksPerEvent: false)
            for case .receipt(let key, _) in inputs {
                try FuzzFailure.check(!key.isEmpty, "a receipt with an empty key")
            }
            _ = session.beat()
        }
    }
}
