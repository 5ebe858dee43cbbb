import ChatStore
import Enqueuer
import Foundation
import Queue
import Synchronization
import WebSocket

/// Receives one bot's events over its provider's socket mode, for bots without a public URL.
///
/// Of every `receive` process of the fleet, only the one holding the bot's stream (`StreamHolding`)
/// connects; the others wait and take over within about `StreamHolding.lifetime` of the holder dying.
/// Each event is acknowledged to the provider only after the transaction recording it has committed, so
/// a receiver killed before a commit leaves the event to the provider's redelivery, and dedupe absorbs
/// what it delivers twice. A provider without acknowledgements (Discord) resumes from the position
/// recorded in the same transaction as the events it covers; the hold fences that write, so a receiver
/// that lost its hold cannot move the position back, and goes back to waiting for the hold.
public final class SocketReceiver: Sendable {
    /// What a run recorded.
    public struct Report: Sendable {
        public var enqueued = 0
        public var duplicates = 0
        public var ignored = 0
        public var rejected = 0
    }

    /// What happened, for the log.
    public enum Event: Sendable {
        case hold(StreamHoldChange)
        case connected
        /// A batch of events was recorded and acknowledged.
        case recorded([IntakeResult])
        /// The connection ended; the next one is opened after `retryIn`.
        case disconnected(String, retryIn: Duration)
        /// The provider refused a reply sent over the socket (WeCom's receipt with an error).
        case replyRefused(String)
    }

    /// The longest pause between failed connections.
    static let maxBackoff = Duration.seconds(30)
    /// The longest a provider's "try again after" is waited before asking again.
    static let longestWait = Duration.seconds(900)
    /// A connection that ends sooner than this counts as a failed one for the backoff: a provider that
    /// drops every new connection is not asked again every second (Discord caps IDENTIFY at 1,000 a day).
    static let stableConnection = Duration.seconds(10)

    private struct State {
        var stopping = false
        var report = Report()
        /// Stops what is under way: the connecting, the connection, or a pause.
        var interrupt: (@Sendable () -> Void)?
    }

    private let mode: any SocketMode
    private let intake: Intake
    private let holding: StreamHolding
    private let chat: ChatStore
    private let onEvent: @Sendable (Event) -> Void
    private let state = Mutex(State())

    /// - Parameter holder: names this process among the fleet's receivers.
    package init(
        mode: any SocketMode, intake: Intake, chat: ChatStore, holder: String,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.mode = mode
        self.intake = intake
        self.chat = chat
        holding = StreamHolding(stream: mode.stream, chat: chat, holder: holder)
        self.onEvent = onEvent
    }

    /// The stream this receiver reads (`slack:A0123`, `discord:...`).
    public var stream: String { mode.stream }

    /// Stops: a connection being opened is abandoned; an open one is closed once the batch being recorded
    /// has committed and been acknowledged (events not yet recorded are left to the provider to send
    /// again); the hold is given up.
    public func requestStop() {
        let interrupt = state.withLock { state in
            state.stopping = true
            return state.interrupt
        }
        interrupt?()
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    /// Receives until stopped.
    /// - Throws: a fatal `ReceiveError` (a credential refused, the socket mode switched off), or the
    ///   database's error when events cannot be recorded (they stay with the provider).
    public func run() async throws -> Report {
        do {
            try await receiveWhileRunning()
        } catch {
            await holding.release()
            throw error
        }
        await holding.release()
        return state.withLock { $0.report }
    }

    private func receiveWhileRunning() async throws {
        var failures = 0
        var announcedWaiting = false
        while !isStopping {
            guard let hold = await holding.take() else {
                if !announcedWaiting { onEvent(.hold(.waiting)) }
                announcedWaiting = true
                await pause(Self.holdRetry)
                continue
            }
            announcedWaiting = false
            onEvent(.hold(.holding))
            let lost = Mutex(false)
            let keeping = holding.keep(hold) { [self] in
                lost.withLock { $0 = true }
                interrupt()
            }
            defer { keeping.cancel() }
            while !isStopping && !lost.withLock({ $0 }) {
                let ending = try await serveConnection(hold: hold)
                guard !isStopping else { break }
                switch ending {
                case .lostHold:
                    lost.withLock { $0 = true }
                case .ended(let reason, let connectedFor, let retryAfter):
                    guard !lost.withLock({ $0 }) else { break }
                    failures = (connectedFor ?? .zero) >= Self.stableConnection ? 1 : failures + 1
                    let backoff = min(Self.maxBackoff, .seconds(1 << min(failures - 1, 5)))
                    // A provider's own wait is honoured up to `longestWait`: the hold stays with this
                    // process while it waits, so no other may connect meanwhile.
                    let wait = max(min(retryAfter ?? .zero, Self.longestWait), backoff)
                    onEvent(.disconnected(reason, retryIn: wait))
                    await pause(wait)
                }
            }
            if lost.withLock({ $0 }) && !isStopping {
                onEvent(.hold(.lost))
            }
        }
    }

    /// How soon a process waiting for the hold tries again.
    private static var holdRetry: Duration { StreamHolding.interval }

    // MARK: One connection

    private enum ConnectionEnding {
        /// The connection failed or ended; `connectedFor` is how long it was open (nil: it never opened).
        case ended(String, connectedFor: Duration?, retryAfter: Duration?)
        /// A transaction found the hold taken by another process.
        case lostHold
    }

    private func serveConnection(hold: StreamHold) async throws -> ConnectionEnding {
        let position = try await chat.pollCursor(source: stream)
        let opened: Result<(WebSocketConnection, any SocketSession), ReceiveError>?
        opened = await interruptible { [mode] in
            do throws(ReceiveError) {
                let (url, session) = try await mode.connect(from: position)
                do {
                    return .success((try await WebSocketConnection.open(url, keepalive: mode.keepalive), session))
                } catch {
                    return .failure(.transient("\(error)"))
                }
            } catch {
                return .failure(error)
            }
        }
        let connection: WebSocketConnection
        let session: any SocketSession
        switch opened {
        case nil:
            return .ended("stopped while connecting", connectedFor: nil, retryAfter: nil)
        case .failure(let error)?:
            if error.isFatal { throw error }
            return .ended(error.description, connectedFor: nil, retryAfter: error.retryAfter)
        case .success(let pair)?:
            (connection, session) = pair
        }
        let openedAt = ContinuousClock.now
        let recorder = SocketRecorder(
            intake: intake, connection: connection, fence: holding.fence(hold), stream: stream
        ) { [self] results in
            tally(results)
            onEvent(.recorded(results))
        }
        // Closing waits for the batch being recorded, so its acknowledgements go out first.
        let closeAfterRecording: @Sendable (String) -> Void = { reason in
            Task {
                try? await recorder.finish()
                connection.close(code: 4000, reason: reason)
            }
        }
        let stopped = state.withLock { state in
            state.interrupt = { closeAfterRecording("stopping") }
            return state.stopping
        }
        if stopped { closeAfterRecording("stopping") }
        onEvent(.connected)
        let ending = await converse(session, on: connection, recorder: recorder, close: closeAfterRecording)
        state.withLock { $0.interrupt = nil }
        do {
            try await recorder.finish()
        } catch let error as QueueError where error.code == .leaseLost {
            return .lostHold
        }
        if let fatal = ending.fatal { throw fatal }
        return .ended(ending.reason, connectedFor: ContinuousClock.now - openedAt, retryAfter: ending.retryAfter)
    }

    /// How a conversation on one connection ended.
    private struct Conversation {
        var reason = "the connection ended"
        var retryAfter: Duration?
        var fatal: ReceiveError?
    }

    /// Reads the connection until it closes, doing what the session asks.
    private func converse(
        _ session: any SocketSession, on connection: WebSocketConnection, recorder: SocketRecorder,
        close: @escaping @Sendable (String) -> Void
    ) async -> Conversation {
        var ending = Conversation()
        var heartbeat: Task<Void, Never>?
        var pump: (SocketOutboxPump, Task<Void, Never>)?
        defer {
            heartbeat?.cancel()
            pump?.1.cancel()
        }
        var closing = false
        func act(on inputs: [SocketInput]) {
            for input in inputs {
                switch input {
                case .record(let deliveries, let acks, let position):
                    recorder.add(deliveries, acks: acks, position: position)
                case .send(let messages):
                    messages.forEach(connection.send)
                case .heartbeat(let interval, let first):
                    first.forEach(connection.send)
                    heartbeat?.cancel()
                    heartbeat = Self.beating(session, on: connection, every: interval)
                case .reconnect(let why, let after):
                    ending.reason = why
                    ending.retryAfter = after
                    if !closing { close("reconnecting") }
                    closing = true
                case .stop(let error):
                    ending.fatal = ending.fatal ?? error
                    if !closing { close("stopping") }
                    closing = true
                case .ready:
                    guard type(of: mode).repliesOverSocket, pump == nil else { break }
                    let sender = SocketOutboxPump(
                        chat: chat, stream: stream, connection: connection, session: session
                    ) { [onEvent] in onEvent(.replyRefused($0)) }
                    pump = (sender, sender.run())
                case .receipt(let key, let failure):
                    pump?.0.receipt(key, failure: failure)
                }
            }
        }
        act(on: session.opened())
        for await event in connection.events {
            switch event {
            case .message(let message):
                act(on: session.read(message))
            case .closed(let closure):
                if !closure.byUs { act(on: session.closed(closure)) }
                if !closing { ending.reason = "\(closure)" }
            }
        }
        return ending
    }

    /// Counts a recorded batch into the report.
    private func tally(_ results: [IntakeResult]) {
        state.withLock { state in
            for result in results {
                switch result.status {
                case .enqueued: state.report.enqueued += 1
                case .duplicate: state.report.duplicates += 1
                case .ignored: state.report.ignored += 1
                case .rejected: state.report.rejected += 1
                }
            }
        }
    }

    /// Sends the session's heartbeat every `interval`; closes the connection when one went unanswered.
    private static func beating(
        _ session: any SocketSession, on connection: WebSocketConnection, every interval: Duration
    ) -> Task<Void, Never> {
        Task {
            while true {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                guard let beat = session.beat() else {
                    connection.close(code: 4000, reason: "heartbeat not acknowledged")
                    return
                }
                connection.send(beat)
            }
        }
    }

    // MARK: Interruptions

    /// Interrupts what is under way (a stop, or the hold lost).
    private func interrupt() {
        state.withLock { $0.interrupt }?()
    }

    /// Waits `duration`, or until interrupted.
    private func pause(_ duration: Duration) async {
        _ = await interruptible { try? await Task.sleep(for: duration) }
    }

    /// Runs `work` so that a stop or a lost hold cancels it; nil when stopped before or during it.
    private func interruptible<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T? {
        let task = Task { await work() }
        let stopped = state.withLock { state in
            state.interrupt = { task.cancel() }
            return state.stopping
        }
        if stopped { task.cancel() }
        let value = await task.value
        let stoppedAfter = state.withLock { state in
            state.interrupt = nil
            return state.stopping
        }
        return stoppedAfter || task.isCancelled ? nil : value
    }
}
