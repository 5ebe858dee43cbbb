import Enqueuer
import Foundation
import Queue

/// Runs a delivery job: sends one chunk of a reply, one file of an answer, or one final edit of a live
/// reply, through the `ReplySender`, and maps the provider's answer to the job's outcome. A file that
/// cannot be sent for good (no longer kept, refused by the provider) is a note in the chat instead: the
/// chat hears of it, and the job does not dead-letter.
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
        guard let file = message.file else {
            let (outcome, holds) = await sender.send(message)
            return result(of: outcome, sending: message, holds: holds)
        }
        switch await attachFile(to: &message, job: job) {
        case .ready:
            let (outcome, holds) = await sender.send(message)
            if case .reject(let reason) = outcome {
                return await sendNote(about: file, because: reason, instead: message)
            }
            return result(of: outcome, sending: message, holds: holds)
        case .unsendable(let reason):
            return await sendNote(about: file, because: reason, instead: message)
        case .later(let result):
            return result
        }
    }

    /// Whether a file's message can be sent now.
    private enum FileReadiness {
        case ready
        /// Never: the chat is told why instead.
        case unsendable(String)
        /// Not now: the job's result (a retry, a snooze).
        case later(JobResult)
    }

    /// Sends, in place of `message`, its caption and a line saying its file could not be sent and why.
    private func sendNote(about file: OutboundFile, because reason: String, instead message: OutboundMessage) async
        -> JobResult
    {
        var note = message
        note.file = nil
        note.text =
            (message.text.isEmpty ? "" : message.text + "\n") + Replies.unsentNote(file.fileName, because: reason)
        let (outcome, holds) = await sender.send(note)
        return result(of: outcome, sending: note, holds: holds)
    }

    /// Gives `message` its file's bytes and, where the provider takes files apart from the message, what
    /// the upload named it: uploaded now and kept in the job's checkpoint (`UploadRecord`), or as an
    /// earlier attempt kept it within the last hour, so a retry after a crash sends the file it uploaded
    /// rather than a second copy.
    private func attachFile(to message: inout OutboundMessage, job: ClaimedJob) async -> FileReadiness {
        guard var file = message.file else { return .ready }
        guard let files else { return .unsendable("no attachments directory is configured") }
        do throws(AttachmentFailure) {
            guard let data = try await files.read(file.sha256) else {
                return .unsendable("it is no longer kept (past attachments.retain)")
            }
            file.data = data
        } catch {
            return .later(.fail("reading \(file.fileName) to send it: \(error.reason)", retryable: true))
        }
        let now = sender.store.clock.now()
        if let record = UploadRecord(checkpoint: job.checkpoint), record.isReusable(at: now) {
            file.uploaded = record.reference
        }
        message.file = file
        guard file.uploaded == nil else { return .ready }
        let (outcome, holds) = await sender.upload(message)
        switch outcome {
        case .notNeeded:
            return .ready
        case .uploaded(let reference):
            do {
                try await sender.store.checkpoint(
                    job.lease, UploadRecord(reference: reference, uploadedAt: now).checkpoint)
            } catch {
                return .later(.fail("keeping what the upload of \(file.fileName) returned: \(error)", retryable: true))
            }
            message.file?.uploaded = reference
            return .ready
        case .failed(.reject(let reason)):
            return .unsendable(reason)
        case .failed(let failure):
            return .later(result(of: failure, sending: message, holds: holds))
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
