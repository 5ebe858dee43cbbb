/// A shared "not before" for a rate bucket (a provider's bot, chat or route): no worker sends to the
/// bucket until it ends.
///
/// It is a length, not a time: the transaction that writes it ends it that long after its own `now`, so
/// every process compares it with the same clock, the store's, whatever its own clock says.
public struct RateHold: Sendable, Equatable {
    /// The longest hold written: a provider that asks for longer (or a number that is not one) is waited
    /// out this long, then asked again. It also keeps every end time far from overflowing.
    public static let longest = Duration.seconds(7 * 86_400)

    public var bucket: String
    /// How long from the moment it is written; from zero to `longest`.
    public var duration: Duration

    public init(bucket: String, for duration: Duration) {
        self.bucket = bucket
        self.duration = min(max(duration, .zero), Self.longest)
    }

    /// When the hold ends, written at `now`.
    package func end(from now: Timestamp) -> Timestamp {
        now + duration
    }
}
