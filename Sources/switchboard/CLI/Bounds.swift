/// The bounds of every numeric option and job field.
enum Bounds {
    private static let day = 86_400.0
    /// Ten years: longer than any delay, key lifetime or snooze a queue should hold.
    private static let decade = 3_650 * day

    static let priority = NumberBound.count(-1_000_000...1_000_000)
    static let maxAttempts = NumberBound.count(1...1_000_000)
    static let delay = NumberBound.seconds(0...decade)
    static let dedupeTTL = NumberBound.seconds(0.001...decade)
    static let lease = NumberBound.seconds(1...day)
    static let shutdownGrace = NumberBound.seconds(0...day)
    static let snooze = NumberBound.seconds(0...decade)
    /// How old a dead letter may be asked about (`dlq purge --older-than`).
    static let age = NumberBound.seconds(0...10 * decade)
    /// How long completed jobs may be kept.
    static let retention = NumberBound.seconds(1...decade)
    static let historyKept = NumberBound.count(1...1_000_000)
    static let lockTimeout = NumberBound.seconds(0.01...day)
    static let concurrency = NumberBound.count(1...4096)
    static let limit = NumberBound.count(1...1_000_000)
    static let rate = NumberBound.count(1...1_000_000)
    static let serverThreads = NumberBound.count(1...256)
    static let connections = NumberBound.count(1...65_536)
    static let connectionTimeout = NumberBound.seconds(1...3_600)
    static let connectionsPerAddress = NumberBound.count(0...65_536)
    static let requestDeadline = NumberBound.seconds(1...3_600)
    static let writeTimeout = NumberBound.seconds(0.1...60)
    static let pollTimeout = NumberBound.seconds(0...600)
}
