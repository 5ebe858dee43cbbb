import ChatStore
import Foundation
import Synchronization
import WebSocket

/// Sends the replies the workers queued for a bot's socket (`ChatStore.queueSocketSend`) over the
/// connection that holds it: in the order they were queued, one at a time per receipt key (WeCom's
/// `req_id`: the frames of one answer in order), each finished once the provider's receipt for it comes
/// back. A frame whose receipt has not come back when the connection ends is still queued, and the next
/// connection (this process's or a new holder's) sends it again.
final class SocketOutboxPump: Sendable {
    /// How often it looks for newly queued frames.
    static let poll = Duration.milliseconds(100)
    /// A frame whose receipt has not come back after this long is sent again.
    static let receiptTimeout = Duration.seconds(10)
    /// The most frames read at a time.
    static let batch = 100

    private struct State {
        /// The frame in flight for each receipt key, and when it was sent.
        var inFlight: [String: (id: Int64, sentAt: ContinuousClock.Instant)] = [:]
        /// Frames whose receipt came, being marked finished: not sent again meanwhile.
        var finishing: Set<Int64> = []
    }

    private let chat: ChatStore
    private let stream: String
    private let connection: WebSocketConnection
    private let session: any SocketSession
    private let onRefused: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// - Parameter onRefused: told when the provider refuses a frame (it is finished, not sent again).
    init(
        chat: ChatStore, stream: String, connection: WebSocketConnection, session: any SocketSession,
        onRefused: @escaping @Sendable (String) -> Void
    ) {
        self.chat = chat
        self.stream = stream
        self.connection = connection
        self.session = session
        self.onRefused = onRefused
    }

    /// Sends queued frames until cancelled.
    func run() -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                await sendQueued()
                try? await Task.sleep(for: Self.poll)
            }
        }
    }

    /// The provider's receipt for the frame in flight under `key`: it is finished.
    func receipt(_ key: String, failure: String?) {
        let id = state.withLock { state -> Int64? in
            guard let flying = state.inFlight.removeValue(forKey: key) else { return nil }
            state.finishing.insert(flying.id)
            return flying.id
        }
        guard let id else { return }
        if let failure { onRefused(failure) }
        Task { [self] in
            try? await chat.finishSocketSends([id])
            state.withLock { _ = $0.finishing.remove(id) }
        }
    }

    private func sendQueued() async {
        guard let queued = try? await chat.pendingSocketSends(stream: stream, limit: Self.batch) else { return }
        let now = ContinuousClock.now
        var unkeyed: [Int64] = []
        let due = state.withLock { state -> [SocketSend] in
            var due: [SocketSend] = []
            var seen: Set<String> = []
            for send in queued where !state.finishing.contains(send.id) {
                guard let key = session.receiptKey(of: send.frame) else {
                    unkeyed.append(send.id)
                    continue
                }
                // Only the oldest frame of a key goes; the rest wait for its receipt.
                guard seen.insert(key).inserted else { continue }
                if let flying = state.inFlight[key], flying.id == send.id, now - flying.sentAt < Self.receiptTimeout {
                    continue
                }
                state.inFlight[key] = (send.id, now)
                due.append(send)
            }
            return due
        }
        for send in due {
            connection.send(.text(send.frame))
        }
        if !unkeyed.isEmpty {
            onRefused("\(unkeyed.count) queued frames carry no request id; they were dropped")
            try? await chat.finishSocketSends(unkeyed)
        }
    }
}
