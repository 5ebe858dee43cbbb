import ChatStore
import Enqueuer
import Foundation
import Queue
import Synchronization
import WebSocket

/// Receives one bot's events over its provider's socket mode, for bots without a public URL.
///
/// Of every `receive` process of the fleet, only the one holding the bot's stream (`ChatStore`'s stream
/// holds, renewed while it runs) connects; the others wait and take over within `holdLifetime` of the
/// holder dying. Each event is acknowledged to the provider only after the transaction recording it has
/// committed, so a receiver killed before a commit leaves the event to the provider's redelivery, and
/// dedupe absorbs what it delivers twice. A provider without acknowledgements (Discord) resumes from the
/// position recorded in the same transaction as the events it covers; the hold fences that write, so a
/// receiver that lost its hold cannot move the position back.
public final class SocketReceiver: Sendable {
    /// What a run recorded.
    public struct Report: Sendable {
        public var connections = 0
        public var enqueued = 0
        public var duplicates = 0
        public var ignored = 0
        public var rejected = 0
    }

    /// What happened, for the log.
    public enum Event: Sendable {
        /// Another process holds the bot's stream; this one waits to take over.
        case waiting
        /// This process took the bot's stream.
        case holding
        case connected
        /// A batch of events was recorded and acknowledged.
        case recorded([IntakeResult])
        /// The connection ended; the next one is opened after `retryIn`.
        case disconnected(String, retryIn: Duration)
    }

    /// How long a hold lasts unless renewed: a dead holder's bot is taken over within about this long.
    static let holdLifetime = Duration.seconds(10)
    /// How often the holder renews, and a waiting process tries to take the hold.
    static let holdInterval = Duration.seconds(3)
    /// The longest pause between failed connections.
    static let maxBackoff = Duration.seconds(30)

    private let mode: any SocketMode
    private let intake: Intake
    private let chat: ChatStore
    private let holder: String
    private let onEvent: @Sendable (Event) -> Void
    private let state = Mutex(
        (stopping: false, connection: WebSocketConnection?.none, report: Report(), wake: (@Sendable () -> Void)?.none))

    /// - Parameter holder: names this process among the fleet's receivers.
    package init(
        mode: any SocketMode, intake: Intake, chat: ChatStore, holder: String,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.mode = mode
        self.intake = intake
        self.chat = chat
        self.holder = holder
        self.onEvent = onEvent
    }

    /// The stream this receiver reads (`slack:A0123`, `discord:...`).
    public var stream: String { mode.stream }

    /// Stops: the connection is closed (events not yet committed are left to the provider to send
    /// again), a batch being recorded is committed first, and the hold is given up.
    public func requestStop() {
        let (connection, wake) = state.withLock { state in
            state.stopping = true
            return (state.connection, state.wake)
        }
        connection?.close(code: 4000, reason: "stopping")
        wake?()
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    /// Receives until stopped.
    /// - Throws: a fatal `ReceiveError` (a credential refused, the socket mode switched off), or the
    ///   database's error when events cannot be recorded (they stay with the provider).
    public func run() async throws -> Report {
        do {
            try await receiveWhileRunning()
        } catch {
            try? await chat.releaseStream(stream, holder: holder)
            throw error
        }
        try? await chat.releaseStream(stream, holder: holder)
        return state.withLock { $0.report }
    }

    private func receiveWhileRunning() async throws {
        var failures = 0
        while !isStopping {
            guard let hold = try await takeHold() else { break }
            let renewal = renewing(hold)
            defer { renewal.cancel() }
            while !isStopping && !renewal.isLost {
                let ending = try await serveConnection(hold: hold, renewal: renewal)
                switch ending {
                case .connectedThenDropped(let reason):
                    failures = 0
                    try await pause(after: reason, failures: 1, retryAfter: nil)
                case .failedToConnect(let error):
                    failures += 1
                    try await pause(after: error.description, failures: failures, retryAfter: error.retryAfter)
                }
            }
        }
    }

    // MARK: The hold

    /// Waits until this process holds the stream; nil when stopped first.
    private func takeHold() async throws -> StreamHold? {
        var announced = false
        while !isStopping {
            if let hold = try await chat.holdStream(stream, holder: holder, for: Self.holdLifetime) {
                onEvent(.holding)
                return hold
            }
            if !announced {
                onEvent(.waiting)
                announced = true
            }
            await interruptibleSleep(Self.holdInterval)
        }
        return nil
    }

    /// Renews `hold` every `holdInterval`; once a renewal finds it taken (or cannot reach the database
    /// before it lapses), marks it lost and drops the connection.
    private func renewing(_ hold: StreamHold) -> Renewal {
        let renewal = Renewal()
        renewal.start { [chat, stream, holder] in
            var lapses = ContinuousClock.now + Self.holdLifetime
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.holdInterval)
                guard !Task.isCancelled else { return }
                do {
                    guard try await chat.holdStream(stream, holder: holder, for: Self.holdLifetime) != nil else {
                        break
                    }
                    lapses = ContinuousClock.now + Self.holdLifetime
                } catch {
                    if ContinuousClock.now + Self.holdInterval >= lapses { break }
                }
            }
            guard !Task.isCancelled else { return }
            renewal.markLost()
            self.state.withLock { $0.connection }?.abandon()
        }
        return renewal
    }

    // MARK: One connection

    private enum ConnectionEnding {
        case connectedThenDropped(String)
        case failedToConnect(ReceiveError)
    }

    private func serveConnection(hold: StreamHold, renewal: Renewal) async throws -> ConnectionEnding {
        let position = try await chat.pollCursor(source: stream)
        let url: String
        let session: any SocketSession
        do {
            (url, session) = try await mode.connect(from: position)
        } catch {
            if error.isFatal { throw error }
            return .failedToConnect(error)
        }
        let connection: WebSocketConnection
        do {
            connection = try await WebSocketConnection.open(url, keepalive: mode.keepalive)
        } catch {
            return .failedToConnect(.transient(error.description))
        }
        let stopped = state.withLock { state in
            state.connection = connection
            state.report.connections += 1
            return state.stopping
        }
        if stopped || renewal.isLost { connection.close(code: 4000, reason: "stopping") }
        onEvent(.connected)
        let recorder = SocketRecorder(
            intake: intake, connection: connection,
            fence: StreamHoldFence(stream: stream, holder: holder, token: hold.token), stream: stream
        ) { [self] results in
            tally(results)
            onEvent(.recorded(results))
        }
        var heartbeat: Task<Void, Never>?
        var reason: String?
        var fatal: ReceiveError?
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
                case .reconnect(let why):
                    reason = why
                    connection.close(code: 4000, reason: "reconnecting")
                case .stop(let error):
                    fatal = error
                    connection.close(code: 4000, reason: "stopping")
                }
            }
        }
        act(on: session.opened())
        for await event in connection.events {
            switch event {
            case .message(let message):
                act(on: session.read(message))
            case .closed(let closure):
                if fatal == nil && !closure.byUs { fatal = session.closed(closure) }
                reason = reason ?? "\(closure)"
            }
        }
        heartbeat?.cancel()
        state.withLock { $0.connection = nil }
        try await recorder.finish()
        if let fatal { throw fatal }
        return .connectedThenDropped(reason ?? "the connection ended")
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

    // MARK: Pauses

    /// Waits before the next connection: 1, 2, 4 ... up to `maxBackoff` seconds by `failures`, or what
    /// the provider asked for.
    private func pause(after reason: String, failures: Int, retryAfter: Duration?) async throws {
        guard !isStopping else { return }
        let pause = retryAfter ?? min(Self.maxBackoff, .seconds(1 << min(failures - 1, 5)))
        onEvent(.disconnected(reason, retryIn: pause))
        await interruptibleSleep(pause)
    }

    /// Sleeps for `duration`, or until `requestStop`.
    private func interruptibleSleep(_ duration: Duration) async {
        let task = Task { try? await Task.sleep(for: duration) }
        let stopped = state.withLock { state in
            state.wake = { task.cancel() }
            return state.stopping
        }
        if stopped { task.cancel() }
        await task.value
        state.withLock { $0.wake = nil }
    }
}

/// A hold being renewed, and whether it was lost.
private final class Renewal: Sendable {
    private let state = Mutex((lost: false, task: Task<Void, Never>?.none))

    var isLost: Bool { state.withLock { $0.lost } }

    /// Runs `renew` until cancelled.
    func start(_ renew: @escaping @Sendable () async -> Void) {
        let task = Task { await renew() }
        state.withLock { $0.task = task }
    }

    func markLost() {
        state.withLock { $0.lost = true }
    }

    func cancel() {
        state.withLock { $0.task }?.cancel()
    }
}
