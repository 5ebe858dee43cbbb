import Foundation
import Queue
import Synchronization

/// What a worker did over its run.
public struct WorkerReport: Sendable, Equatable {
    public var completed = 0
    /// Failed attempts scheduled to run again.
    public var retried = 0
    public var deadLettered = 0
    /// Snoozed, or handed back at shutdown.
    public var snoozed = 0
    public var leasesLost = 0

    public var settled: Int { completed + retried + deadLettered + snoozed }
}
extension WorkerReport {
    mutating func count(_ result: SettlementResult, of outcome: JobOutcome) {
        switch (result, outcome) {
        case (.completed, _): completed += 1
        case (.deadLettered, _): deadLettered += 1
        case (.leaseLost, _): leasesLost += 1
        case (.scheduled, .snooze): snoozed += 1
        case (.scheduled, _): retried += 1
        }
    }
}
