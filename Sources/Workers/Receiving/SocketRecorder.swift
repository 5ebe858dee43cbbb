import ChatStore
import Enqueuer
import Foundation
import Queue
import Synchronization
import WebSocket

/// Records a connection's events by group commit: the events that arrive while one transaction commits
/// share the next, with the stream's latest position and the hold's fence; each event's acknowledgement
/// goes to the provider only after its transaction has committed.
///
/// When a transaction fails, the connection is dropped unacknowledged (the provider sends those events
/// again to whichever receiver connects next) and nothing more is written.
final class SocketRecorder: Sendable {
    private struct Pending {
        var deliveries: [Delivery]
        var acks: [WebSocketMessage]
        var position: String?
    }

    private struct State {
        var pending: [Pending] = []
        var writer: Task<Void, Never>?
        var failure: (any Error)?
    }

    private let intake: Intake
    private let connection: WebSocketConnection
    private let fence: StreamHoldFence
    private let stream: String
    private let onRecorded: @Sendable ([IntakeResult]) -> Void
    private let state = Mutex(State())

    init(
        intake: Intake, connection: WebSocketConnection, fence: StreamHoldFence, stream: String,
        onRecorded: @escaping @Sendable ([IntakeResult]) -> Void
    ) {
        self.intake = intake
        self.connection = connection
        self.fence = fence
        self.stream = stream
        self.onRecorded = onRecorded
    }

    /// Queues deliveries for the next transaction, with the stream's position after them.
    func add(_ deliveries: [Delivery], acks: [WebSocketMessage], position: String?) {
        state.withLock { state in
            state.pending.append(Pending(deliveries: deliveries, acks: acks, position: position))
            if state.writer == nil {
                state.writer = Task { await self.writeWhilePending() }
            }
        }
    }

    /// Waits for the transactions under way.
    /// - Throws: the database's error when one failed.
    func finish() async throws {
        while let writer = state.withLock({ $0.writer }) {
            await writer.value
        }
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    private func writeWhilePending() async {
        while true {
            let (batch, failed) = state.withLock { state in
                defer { state.pending = [] }
                if state.pending.isEmpty { state.writer = nil }
                return (state.pending, state.failure != nil)
            }
            guard !batch.isEmpty else { return }
            guard !failed else { continue }
            var records: [any TransactionRecord] = [fence]
            if let position = batch.last(where: { $0.position != nil })?.position {
                records.append(PollCursor(source: stream, cursor: position))
            }
            do {
                let results = try await intake.receive(batch.flatMap(\.deliveries), with: records)
                batch.flatMap(\.acks).forEach(connection.send)
                onRecorded(results)
            } catch {
                state.withLock { $0.failure = error }
                connection.abandon()
            }
        }
    }
}
