import ChatStore
import Enqueuer
import Foundation
import Queue
import Synchronization

/// A long poll read under the stream's hold across the fleet (`StreamHolding`), as `receive` runs it:
/// only the process holding a bot's stream polls it (two pollers of one Telegram bot would take turns at
/// its updates, and Telegram refuses the second), and every page's cursor is fenced by the hold.
public final class HeldPoller: Sendable {
    /// What happened, for the log.
    public enum Event: Sendable {
        case hold(StreamHoldChange)
        case poller(Poller.Event)
    }

    private let source: any UpdateSource
    private let intake: Intake
    private let chat: ChatStore
    private let holding: StreamHolding
    private let onEvent: @Sendable (Event) -> Void
    private let state = Mutex((stopping: false, poller: Poller?.none, pause: Task<Void, Never>?.none))

    /// - Parameter holder: names this process among the fleet's receivers.
    package init(
        source: any UpdateSource, intake: Intake, chat: ChatStore, holder: String,
        onEvent: @escaping @Sendable (Event) -> Void
    ) {
        self.source = source
        self.intake = intake
        self.chat = chat
        holding = StreamHolding(stream: source.name, chat: chat, holder: holder)
        self.onEvent = onEvent
    }

    /// The stream it reads (`telegram:123456`).
    public var stream: String { source.name }

    /// Stops the poll in flight (its page is polled again) or the wait for the hold.
    public func requestStop() {
        let (poller, pause) = state.withLock { state in
            state.stopping = true
            return (state.poller, state.pause)
        }
        poller?.requestStop()
        pause?.cancel()
    }

    /// Polls while it holds the stream, until stopped; what every poller it ran recorded.
    /// - Throws: a fatal `PollError`, or the database's error when a page cannot be recorded.
    public func run() async throws -> [Poller.Report] {
        var reports: [Poller.Report] = []
        do {
            try await pollWhileRunning(into: &reports)
        } catch {
            await holding.release()
            throw error
        }
        await holding.release()
        return reports
    }

    private func pollWhileRunning(into reports: inout [Poller.Report]) async throws {
        var announcedWaiting = false
        while !state.withLock({ $0.stopping }) {
            guard let hold = await holding.take() else {
                if !announcedWaiting { onEvent(.hold(.waiting)) }
                announcedWaiting = true
                let pause = Task { _ = try? await Task.sleep(for: StreamHolding.interval) }
                let stopped = state.withLock { state in
                    state.pause = pause
                    return state.stopping
                }
                if stopped { pause.cancel() }
                await pause.value
                continue
            }
            announcedWaiting = false
            onEvent(.hold(.holding))
            let poller = Poller(
                source: source, intake: intake, chat: chat, drain: false, fence: holding.fence(hold)
            ) { [onEvent] in onEvent(.poller($0)) }
            let lost = Mutex(false)
            let keeping = holding.keep(hold) {
                lost.withLock { $0 = true }
                poller.requestStop()
            }
            let stopped = state.withLock { state in
                state.poller = poller
                return state.stopping
            }
            if stopped { poller.requestStop() }
            do {
                reports.append(try await poller.run())
            } catch let error as QueueError where error.code == .leaseLost {
                lost.withLock { $0 = true }
            }
            keeping.cancel()
            state.withLock { $0.poller = nil }
            if lost.withLock({ $0 }) { onEvent(.hold(.lost)) }
        }
    }
}
