import Enqueuer
import Foundation
import Queue

/// Runs a delivery job: sends one chunk of a reply, one file of an answer, or one final edit of a live
/// reply, through the `ReplySender`, and maps the provider's answer to the job's outcome.
struct DeliveryHandler {
    /// A hold shorter than this is waited out with the lease held; a longer one snoozes the job.
    static let longestWait: Duration = .seconds(1)

    let sender: ReplySender
    /// Where the answers' files are kept until they are sent; nil when nowhere is configured.
    let files: AttachmentStore?

    func run(_ job: ClaimedJob) async -> JobResult {
        var message: OutboundMessage
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
        if message.file != nil, let unsent = await attachFile(to: &message, job: job) {
            return unsent
        }
        let (outcome, holds) = await sender.send(message)
        return result(of: outcome, sending: message, holds: holds)
    }

    /// Gives `message` its file's bytes and, where the provider takes files apart from the message, what
    /// the upload named it: uploaded now and kept in the job's checkpoint, or as an earlier attempt kept
    /// it, so a retry after a crash sends the file it uploaded rather than a second copy. Returns the
    /// job's result when the file cannot go now.
    private func attachFile(to message: inout OutboundMessage, job: ClaimedJob) async -> JobResult? {
        guard var file = message.file else { return nil }
        guard let files else {
            return .fail("no attachments directory is configured to send \(file.fileName) from", retryable: false)
        }
        do throws(AttachmentFailure) {
            guard let data = try await files.read(file.sha256) else {
                return .fail("\(file.fileName) is no longer kept (past attachments.retain?)", retryable: false)
            }
            file.data = data
        } catch {
            return .fail("reading \(file.fileName) to send it: \(error.reason)", retryable: true)
        }
        file.uploaded = job.checkpoint.map { String(decoding: $0, as: UTF8.self) }
        message.file = file
        guard file.uploaded == nil else { return nil }
        let (outcome, holds) = await sender.upload(message)
        switch outcome {
        case .notNeeded:
            return nil
        case .uploaded(let reference):
            do {
                try await sender.store.checkpoint(job.lease, Data(reference.utf8))
            } catch {
                return .fail("keeping what the upload of \(file.fileName) returned: \(error)", retryable: true)
            }
            message.file?.uploaded = reference
            return nil
        case .failed(let failure):
            return result(of: failure, sending: message, holds: holds)
        }
    }

    private func result(of outcome: SendOutcome, sending message: OutboundMessage, holds: [RateHold]) -> JobResult {
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
