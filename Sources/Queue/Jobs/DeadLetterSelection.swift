/// Which dead letters an operator's command covers.
public enum DeadLetterSelection: Sendable, Equatable {
    /// Exactly these jobs; every one must be a dead letter.
    case ids([Int64])
    case all
    case queue(String)
    /// Those dead-lettered at least this long ago.
    case olderThan(Duration)
}
