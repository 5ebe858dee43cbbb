import ChatStore
import Enqueuer
import Foundation
import Queue

/// Consumes the connect code of a `/connect CODE` message and answers whether it worked.
struct LinkHandler {
    let chat: ChatStore

    func run(_ job: ClaimedJob) async -> JobResult {
        let event: InboundEvent
        let digest: Data?
        do {
            (event, digest) = try ChatJob.decode(job.payload)
        } catch {
            return .fail("link payload: \(error)", retryable: false)
        }
        let answer: String
        if let digest, let identity = event.identity {
            do {
                _ = try await chat.consumeConnectCode(digest: digest, identity: identity)
                answer = "Connected: this chat is now linked to your account."
            } catch let error as LinkError where error.code == .expiredOrUsed {
                answer = "That code is invalid or has expired. Ask for a new one."
            } catch {
                return .fail("consuming a connect code: \(error)", retryable: true)
            }
        } else if digest == nil {
            answer = "That code is invalid or has expired. Ask for a new one."
        } else {
            answer = "This chat cannot be connected here: send the code from a server or group channel."
        }
        return JobResult(
            .complete,
            effects: SettlementEffects(
                enqueue: Replies.deliveries(answer, to: event, turn: job.id, queue: job.queue, recordKeeping: nil)
            ))
    }
}
