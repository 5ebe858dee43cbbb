import Enqueuer
import Foundation

/// The send-rate limits each provider documents, as buckets a send belongs to and the least time
/// between two sends to the same bucket.
///
/// Chat buckets are held in the database after each send (`RateHold`), so the fleet paces them
/// together; sends to one conversation run one at a time anyway, because delivery jobs are grouped by
/// conversation. Bot-wide buckets are paced in each process.
public struct RateBuckets: Sendable {
    public struct Bucket: Sendable, Equatable {
        public var key: String
        public var interval: Duration
    }

    /// Paced fleet-wide through holds.
    public var chat: Bucket
    /// Paced per process.
    public var bot: Bucket?

    public static func of(_ message: OutboundMessage) -> RateBuckets {
        let chat = message.target.chat
        switch message.provider {
        case .telegram:
            // About 1 message a second in a private chat, 20 a minute in a group (negative chat ids).
            return RateBuckets(
                chat: Bucket(key: "telegram:chat:\(chat)", interval: chat.hasPrefix("-") ? .seconds(3) : .seconds(1)),
                bot: Bucket(key: "telegram:bot", interval: .milliseconds(34))
            )
        case .slack:
            return RateBuckets(chat: Bucket(key: "slack:channel:\(chat)", interval: .seconds(1)))
        case .discord:
            return RateBuckets(
                chat: Bucket(key: "discord:channel:\(chat)", interval: .milliseconds(250)),
                bot: Bucket(key: "discord:global", interval: .milliseconds(20))
            )
        case .feishu:
            return RateBuckets(chat: Bucket(key: "feishu:chat:\(chat)", interval: .milliseconds(200)))
        case .dingtalk:
            return RateBuckets(chat: Bucket(key: "dingtalk:chat:\(chat)", interval: .seconds(3)))
        case .wecom:
            return RateBuckets(chat: Bucket(key: "wecom:chat:\(chat)", interval: .milliseconds(300)))
        case .wechat:
            return RateBuckets(chat: Bucket(key: "wechat:chat:\(chat)", interval: .seconds(1)))
        }
    }

    /// Every bucket key a hold on which delays this send.
    public var keys: [String] {
        [chat.key] + (bot.map { [$0.key] } ?? [])
    }
}
