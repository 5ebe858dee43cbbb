import Foundation
import Queue

/// What a worker did over its run: the same counts its row in the store keeps per queue and kind.
public typealias WorkerReport = WorkerTally.Counts

extension WorkerTally.Counts {
    public var settled: Int { completed + retried + deadLettered + snoozed }

    /// Counts one settlement's result.
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
