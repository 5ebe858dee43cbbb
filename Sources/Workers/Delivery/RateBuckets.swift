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

    /// The buckets a send of `message` belongs to, by its provider's limits.
    public static func of(_ message: OutboundMessage) -> RateBuckets {
        message.provider.api.rateBuckets(chat: message.target.chat)
    }

    /// Every bucket key a hold on which delays this send.
    public var keys: [String] {
        [chat.key] + (bot.map { [$0.key] } ?? [])
    }
}
