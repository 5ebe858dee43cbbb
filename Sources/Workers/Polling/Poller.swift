import ChatStore
import Enqueuer
import Foundation
import Queue
import Synchronization

/// Reads a provider's updates by long polling and records each page with the cursor past it in one
/// transaction: a poller killed at any point resumes after exactly what was recorded, so no update is
/// lost and none is recorded twice (a provider that sends one again anyway meets its dedupe key).
public final class Poller: Sendable {
    /// What a run recorded.
    public struct Report: Sendable {
        public var polls = 0
        public var enqueued = 0
        public var duplicates = 0
        public var ignored = 0
        public var rejected = 0
    }

    /// What happened, for the log.
    public enum Event: Sendable {
        /// A page was recorded, with what each update became.
        case recorded([IntakeResult])
        /// A poll failed and is tried again after `retryIn`.
        case failed(PollError, retryIn: Duration)
    }

    /// The longest pause between failed polls.
    static let maxBackoff = Duration.seconds(30)

    private let source: any UpdateSource
    private let intake: Intake
    private let chat: ChatStore
    private let drain: Bool
    /// Written with every page, where the poller reads under a stream hold: a page is refused once the
    /// hold has passed to another process.
    private let fence: StreamHoldFence?
    private let onEvent: @Sendable (Event) -> Void
    /// Whether a stop was asked for, and how to cancel the poll or pause in progress when it is.
    private let state = Mutex((stopping: false, cancel: (@Sendable () -> Void)?.none))

    /// - Parameters:
    ///   - drain: return once a poll finds nothing new, instead of polling until stopped.
    ///   - fence: the stream hold this poller reads under, if any.
    package init(
        source: any UpdateSource, intake: Intake, chat: ChatStore, drain: Bool, fence: StreamHoldFence? = nil,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.source = source
        self.intake = intake
        self.chat = chat
        self.drain = drain
        self.fence = fence
        self.onEvent = onEvent
    }

    /// Stops at the next step: a poll in flight or a pause is abandoned; a page being recorded is
    /// committed first.
    public func requestStop() {
        let cancel = state.withLock { state in
            state.stopping = true
            return state.cancel
        }
        cancel?()
    }

    /// Polls until stopped (or, draining, until nothing new arrives).
    /// - Throws: a fatal `PollError` (a webhook is set, the token was refused), or the database's error
    ///   when a page cannot be recorded; its updates are polled again on the next run.
    public func run() async throws -> Report {
        var report = Report()
        var cursor = try await chat.pollCursor(source: source.name)
        var failures = 0
        while true {
            let fetched: Result<UpdatePage, PollError>?
            fetched = await interruptible { [source, cursor] in
                do throws(PollError) {
                    return .success(try await source.fetch(after: cursor))
                } catch {
                    return .failure(error)
                }
            }
            guard let fetched else { return report }
            let page: UpdatePage
            switch fetched {
            case .success(let fetchedPage):
                page = fetchedPage
                failures = 0
            case .failure(let error):
                guard !error.isFatal else { throw error }
                failures += 1
                let pause = min(Self.maxBackoff, .seconds(1 << min(failures - 1, 5)))
                onEvent(.failed(error, retryIn: pause))
                guard await interruptible({ try? await Task.sleep(for: pause) }) != nil else { return report }
                continue
            }
            report.polls += 1
            if page.bodies.isEmpty && page.next == (cursor ?? "") {
                if drain { return report }
                continue
            }
            let results = try await intake.receive(
                page.bodies.map { Delivery(provider: source.provider, body: $0) },
                with: [PollCursor(source: source.name, cursor: page.next)] + (fence.map { [$0] } ?? []))
            cursor = page.next
            for result in results {
                switch result.status {
                case .enqueued: report.enqueued += 1
                case .duplicate: report.duplicates += 1
                case .ignored: report.ignored += 1
                case .rejected: report.rejected += 1
                }
            }
            onEvent(.recorded(results))
            if state.withLock({ $0.stopping }) { return report }
        }
    }

    /// Runs `work` so that `requestStop` can cancel it; nil when stopped before or during it.
    private func interruptible<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T? {
        let task = Task { await work() }
        let started = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.cancel = { task.cancel() }
            return true
        }
        guard started else {
            task.cancel()
            return nil
        }
        let value = await task.value
        let stopped = state.withLock { state -> Bool in
            state.cancel = nil
            return state.stopping
        }
        return stopped ? nil : value
    }
}
