/// Failed authentications per client, as a leaky bucket each: a client may fail `burst` times in a row,
/// then once more each time `forgetAfter` has passed; a success forgets its failures.
///
/// Measured before it existed: 3,000 wrong dashboard tokens were tried in 0.96 s. The state is a pure
/// value that takes the time from its caller (`FailedAttemptLimiter` is the one shared, locked copy), so
/// it is tested without waiting. Each client costs one entry: the instant its failures are all forgotten.
/// At `capacity` entries the forgotten ones go first, then the tenth of the rest nearest to being
/// forgotten, so memory stays bounded however many addresses try, and the sweep that makes room runs
/// once per tenth of the table rather than once per new client. A guesser with more addresses than the
/// table holds gets each one's budget back when it is dropped: the limit slows such a guesser by the
/// size of the table, not entirely.
package struct FailureLedger: Sendable {
    package struct Policy: Sendable {
        /// Failures a client may have in a row before it must wait.
        package var burst = 10
        /// How long one failure is held against a client: after the burst, one more try per this long.
        package var forgetAfter = Duration.seconds(6)
        /// Clients remembered at once.
        package var capacity = 10_000

        package init() {}
    }

    package let policy: Policy
    /// When each client's failures are all forgotten; nil is the client whose address is unknown.
    private var forgottenAt: [IPAddress?: ContinuousClock.Instant] = [:]

    package init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// How many clients it remembers.
    package var count: Int { forgottenAt.count }

    /// How long `client` must wait before its next try counts; nil when it may try now.
    package func wait(_ client: IPAddress?, now: ContinuousClock.Instant) -> Duration? {
        guard let forgotten = forgottenAt[client] else { return nil }
        let held = forgotten - now
        let allowance = policy.forgetAfter * (policy.burst - 1)
        return held > allowance ? held - allowance : nil
    }

    package mutating func failed(_ client: IPAddress?, now: ContinuousClock.Instant) {
        if forgottenAt[client] == nil, forgottenAt.count >= policy.capacity {
            makeRoom(now: now)
        }
        forgottenAt[client] = max(forgottenAt[client] ?? now, now) + policy.forgetAfter
    }

    package mutating func succeeded(_ client: IPAddress?) {
        forgottenAt[client] = nil
    }

    private mutating func makeRoom(now: ContinuousClock.Instant) {
        forgottenAt = forgottenAt.filter { $0.value > now }
        guard forgottenAt.count >= policy.capacity else { return }
        let nearest = forgottenAt.sorted { $0.value < $1.value }.prefix(max(1, policy.capacity / 10))
        for (client, _) in nearest {
            forgottenAt[client] = nil
        }
    }
}
