import ChatStore
import Foundation
import Queue
import Synchronization

/// This process's hold on one stream (a bot's connection or long poll) across the fleet: waits to take
/// it, renews it while the stream is read, and says when it is lost, so that of every `receive` process
/// only the holder reads the stream, and a holder that stops renewing stops reading before another takes
/// over.
///
/// A renewal that does not come back before the hold would lapse (measured from when it was asked for,
/// a slow or hung database included) counts as lost, as does one that finds the hold taken again with
/// another token.
package final class StreamHolding: Sendable {
    /// How long a hold lasts unless renewed: a dead holder's stream is taken over within about this long
    /// plus `interval`.
    package static let lifetime = Duration.seconds(10)
    /// How often the holder renews, and a waiting process tries to take the hold.
    package static let interval = Duration.seconds(3)

    package let stream: String
    private let chat: ChatStore
    private let holder: String

    package init(stream: String, chat: ChatStore, holder: String) {
        self.stream = stream
        self.chat = chat
        self.holder = holder
    }

    /// Tries to take the hold; nil while another process holds it. A database failure counts as not
    /// holding (the next try comes after `interval`).
    package func take() async -> StreamHold? {
        try? await chat.holdStream(stream, holder: holder, for: Self.lifetime)
    }

    /// The fence that fails a transaction unless `hold` is still this process's.
    package func fence(_ hold: StreamHold) -> StreamHoldFence {
        StreamHoldFence(stream: stream, holder: holder, token: hold.token)
    }

    /// Renews `hold` every `interval` until cancelled; calls `lost` once, when a renewal finds it taken,
    /// or none has come back in time.
    package func keep(_ hold: StreamHold, lost: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task { [chat, stream, holder] in
            var lapses = ContinuousClock.now + Self.lifetime
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                guard !Task.isCancelled else { return }
                let asked = ContinuousClock.now
                // The renewal races the hold's lapse, less a margin: a call that hangs loses the hold.
                let renewed = await Self.first(within: lapses - asked - .seconds(1)) {
                    try? await chat.holdStream(stream, holder: holder, for: Self.lifetime)
                }
                guard !Task.isCancelled else { return }
                switch renewed {
                case .some(.some(let current)) where current.token == hold.token:
                    lapses = asked + Self.lifetime
                case .some(.some):
                    lost()
                    return
                case .some(.none), .none:
                    if ContinuousClock.now + Self.interval >= lapses - .seconds(1) {
                        lost()
                        return
                    }
                }
            }
        }
    }

    /// Gives the hold up, if this process has it.
    package func release() async {
        try? await chat.releaseStream(stream, holder: holder)
    }

    /// What `work` returns, unless `limit` passes first (nil then; `work` goes on unawaited).
    private static func first<T: Sendable>(within limit: Duration, _ work: @escaping @Sendable () async -> T) async
        -> T?
    {
        guard limit > .zero else { return nil }
        let race = Race<T?>()
        Task { race.settle(await work()) }
        let timer = Task {
            try? await Task.sleep(for: limit)
            race.settle(nil)
        }
        defer { timer.cancel() }
        return await race.result()
    }
}

/// The first of several values settled from different tasks, for one waiter.
private final class Race<Value: Sendable>: Sendable {
    private let state = Mutex<(waiter: CheckedContinuation<Value, Never>?, settled: Value?, done: Bool)>(
        (nil, nil, false))

    /// Settles the race with `value`, unless it was settled already.
    func settle(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard !state.done else { return nil }
            state.done = true
            state.settled = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    /// The value the race was settled with, once it is.
    func result() async -> Value {
        await withCheckedContinuation { continuation in
            let settled = state.withLock { state -> Value? in
                guard state.done else {
                    state.waiter = continuation
                    return nil
                }
                return state.settled
            }
            if let settled { continuation.resume(returning: settled) }
        }
    }
}

/// What became of a process's hold on a stream, for the log.
public enum StreamHoldChange: Sendable {
    /// Another process holds the stream; this one waits to take over.
    case waiting
    /// This process took the stream.
    case holding
    /// This process lost the stream (a renewal failed, came too late or found it taken); it waits again.
    case lost
}
