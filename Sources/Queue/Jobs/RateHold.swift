/// A shared "not before" for a rate bucket (a provider's bot, chat or route): no worker sends to the
/// bucket before `until`.
public struct RateHold: Sendable, Equatable {
    public var bucket: String
    public var until: Timestamp

    public init(bucket: String, until: Timestamp) {
        self.bucket = bucket
        self.until = until
    }
}
