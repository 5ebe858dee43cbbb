import Foundation
import Queue
import Synchronization

/// Takes deliveries from many callers at once and writes them by group commit: while one transaction
/// commits, the deliveries that arrive wait and then share the next one. Each caller gets its own result
/// only after the transaction holding its delivery has committed.
///
/// Each delivery is normalised on its caller's task, so only the database work is done one batch at a
/// time; a delivery that writes nothing (ignored, rejected, a challenge) is answered without waiting.
///
/// A caller's `StoreDeadline` holds here too: a delivery still waiting for earlier batches at its
/// deadline fails unwritten, and a batch is written under the soonest deadline among its deliveries.
public final class IntakeBatcher: Sendable {
    private typealias Waiter = (
        prepared: Intake.Prepared, deadline: ContinuousClock.Instant?,
        continuation: CheckedContinuation<Result<IntakeResult, any Error>, Never>
    )

    /// The most deliveries one transaction takes.
    public static let maxBatch = 1_000

    private let intake: Intake
    private let state = Mutex((waiting: [Waiter](), writing: false))

    public init(intake: Intake) {
        self.intake = intake
    }

    /// Records one delivery, in a transaction shared with the others that arrive meanwhile.
    /// - Throws: when the database fails; then nothing of that transaction was written.
    public func receive(_ delivery: Delivery) async throws -> IntakeResult {
        let prepared = try intake.prepare([delivery])
        guard !prepared.jobs.isEmpty else { return prepared.results[0] }
        let deadline = StoreDeadline.current
        let result = await withCheckedContinuation { continuation in
            let startWriting = state.withLock { state -> Bool in
                state.waiting.append((prepared, deadline, continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriting {
                Task { await self.writeWhileWaiting() }
            }
        }
        return try result.get()
    }

    /// Writes the waiting deliveries, a transaction at a time, until none is left.
    private func writeWhileWaiting() async {
        while true {
            let waiting = state.withLock { state -> [Waiter] in
                let batch = Array(state.waiting.prefix(Self.maxBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !waiting.isEmpty else { return }
            let now = ContinuousClock.now
            let batch = waiting.filter { waiter in
                guard let deadline = waiter.deadline, deadline <= now else { return true }
                waiter.continuation.resume(
                    returning: .failure(
                        QueueError(
                            .contended,
                            "the event waited past its deadline for earlier writes to the database; it was not written")
                    ))
                return false
            }
            guard !batch.isEmpty else { continue }
            do {
                let results = try await StoreDeadline.$current.withValue(batch.compactMap(\.deadline).min()) {
                    try await intake.write(batch.map(\.prepared))
                }
                for (waiter, result) in zip(batch, results) {
                    waiter.continuation.resume(returning: .success(result[0]))
                }
            } catch {
                for waiter in batch {
                    waiter.continuation.resume(returning: .failure(error))
                }
            }
        }
    }
}
