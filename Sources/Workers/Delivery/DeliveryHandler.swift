import Enqueuer
import Foundation
import Queue

/// Runs a delivery job: sends one chunk of a reply, or one final edit of a live reply, through the
/// `ReplySender`, and maps the provider's answer to the job's outcome.
struct DeliveryHandler {
    /// A hold shorter than this is waited out with the lease held; a longer one snoozes the job.
    static let longestWait: Duration = .seconds(1)

    let sender: ReplySender

    func run(_ job: ClaimedJob) async -> JobResult {
        let message: OutboundMessage
        do {
            message = try OutboundMessage(payload: job.payload)
        } catch {
            return .fail("\(error)", retryable: false)
        }
        do {
            if let wait = try await sender.waitForTurn(message, longestWait: Self.longestWait) {
                return JobResult(.snooze(wait))
            }
        } catch is CancellationError {
            return JobResult(.release)
        } catch {
            return .fail("checking rate holds: \(error)", retryable: true)
        }
        let (outcome, holds) = await sender.send(message)
        let events = [outcome.event(sending: message.provider)]
        switch outcome {
        case .delivered:
            return JobResult(.complete, effects: SettlementEffects(holds: holds), events: events)
        case .slowDown(let after, _):
            return JobResult(.snooze(after), effects: SettlementEffects(holds: holds), events: events)
        case .retry(let reason):
            return JobResult(.fail(error: reason, retryable: true), events: events)
        case .reject(let reason):
            return JobResult(.fail(error: reason, retryable: false), events: events)
        }
    }
}
