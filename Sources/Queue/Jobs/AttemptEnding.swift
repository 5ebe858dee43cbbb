import Foundation

/// What ending one attempt does to its job: the next step under the lifecycle rules, and the failure the
/// attempt records, appended to the job's bounded history. Every backend computes it this way and only
/// writes it down.
struct AttemptEnding {
    let row: AttemptRow
    let step: NextStep
    /// The failure to record; nil when the attempt records none (a success, a snooze).
    let failure: (lastError: String, history: String)?

    init(_ row: AttemptRow, _ end: AttemptEnd, rules: JobRules, now: Timestamp) throws {
        self.row = row
        step = JobLifecycle(retryPolicy: rules.retryPolicies.policy(for: row.kind)).next(
            after: end, attempt: row.attempts, maxAttempts: row.maxAttempts, now: now,
            jitterUnit: Double.random(in: 0..<1)
        )
        failure = try Self.failure(end, row: row, rules: rules, now: now)
    }

    /// The settlement result the step amounts to.
    var result: SettlementResult {
        switch step {
        case .finish: .completed
        case .runAgain(let runAt, _): .scheduled(at: runAt)
        case .deadLetter(let reason): .deadLettered(reason)
        }
    }

    /// The failure this attempt end records, with the job's history; nil when it records none. U+0000 in
    /// an error (a command's stderr may hold one) becomes U+FFFD, which every backend can store as text.
    private static func failure(_ end: AttemptEnd, row: AttemptRow, rules: JobRules, now: Timestamp) throws
        -> (lastError: String, history: String)?
    {
        let message: String
        switch end {
        case .succeeded, .snoozed:
            return nil
        case .failed(let error, _):
            message = String(error.suffix(JobRules.maxErrorLength)).replacing("\u{0}", with: "\u{FFFD}")
        case .leaseExpired:
            message = "lease expired before the worker settled the job (worker lost or stalled)"
        }
        var history = try ErrorHistory.decode(row.errorHistory)
        history.append(JobFailure(attempt: row.attempts, at: now.millisecondsSince1970, error: message))
        return (message, ErrorHistory.encode(history.suffix(rules.errorHistoryLimit)))
    }
}
