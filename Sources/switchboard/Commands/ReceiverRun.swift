import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import JSON
import Queue
import Workers

/// One stream `receive` reads: a socket mode's receiver or a long poll's poller, run and stopped alike.
struct ReceiverRun: Sendable {
    /// What a stream recorded.
    struct Totals: Sendable {
        var enqueued = 0
        var duplicates = 0
        var ignored = 0
        var rejected = 0

        static func + (left: Totals, right: Totals) -> Totals {
            Totals(
                enqueued: left.enqueued + right.enqueued, duplicates: left.duplicates + right.duplicates,
                ignored: left.ignored + right.ignored, rejected: left.rejected + right.rejected)
        }
    }

    /// The stream's name (`slack:A0123`, `telegram:123456`).
    let name: String
    let run: @Sendable () async throws -> Totals
    let requestStop: @Sendable () -> Void

    /// The run for `provider`: its socket mode where it has one, else its long poll.
    static func make(
        provider: Provider, settings: ProviderSettings, http: HTTPClient, intake: Intake, chat: ChatStore,
        holder: String, log: ProcessLog, verbose: Bool
    ) -> ReceiverRun {
        if case .present(let mode) = provider.api.socketMode {
            return socket(mode.init(settings: settings, http: http), intake, chat, holder, log, verbose)
        }
        guard case .present(let source) = provider.api.longPoll else {
            preconditionFailure("\(provider.rawValue) can be received neither over a socket nor by polling")
        }
        return poll(
            source.init(settings: settings, http: http, timeout: .seconds(30)), intake, chat, holder, log, verbose)
    }

    private static func socket(
        _ mode: any SocketMode, _ intake: Intake, _ chat: ChatStore, _ holder: String, _ log: ProcessLog,
        _ verbose: Bool
    ) -> ReceiverRun {
        let stream = mode.stream
        let receiver = SocketReceiver(mode: mode, intake: intake, chat: chat, holder: holder) { event in
            switch event {
            case .hold(let change):
                log.write(change, of: stream)
            case .connected:
                log.write(.info, "receive: \(stream) connected", ["event": "connected", "stream": stream])
            case .replyRefused(let reason):
                log.write(
                    .warning, "receive: \(stream) refused a reply sent over the socket (\(reason))",
                    ["event": "reply_refused", "stream": stream, "reason": reason])
            case .recorded(let results) where verbose:
                log.write(
                    .info, "receive: \(stream) recorded \(results.count) events",
                    ["event": "recorded", "stream": stream, "events": results.count])
            case .recorded:
                break
            case .disconnected(let reason, let pause):
                log.write(
                    .warning, "receive: \(stream) disconnected (\(reason)); connecting again in \(pause.seconds) s",
                    [
                        "event": "disconnected", "stream": stream, "reason": reason,
                        "retry_in_s": pause.seconds,
                    ])
            }
        }
        return ReceiverRun(
            name: stream,
            run: {
                let report = try await receiver.run()
                return Totals(
                    enqueued: report.enqueued, duplicates: report.duplicates, ignored: report.ignored,
                    rejected: report.rejected)
            },
            requestStop: receiver.requestStop)
    }

    private static func poll(
        _ source: any UpdateSource, _ intake: Intake, _ chat: ChatStore, _ holder: String, _ log: ProcessLog,
        _ verbose: Bool
    ) -> ReceiverRun {
        let stream = source.name
        let poller = HeldPoller(source: source, intake: intake, chat: chat, holder: holder) { event in
            switch event {
            case .hold(let change):
                log.write(change, of: stream)
            case .poller(.recorded(let results)) where verbose:
                log.write(
                    .info, "receive: \(stream) recorded \(results.count) updates",
                    ["event": "recorded", "stream": stream, "updates": results.count])
            case .poller(.recorded):
                break
            case .poller(.failed(let error, let pause)):
                log.write(
                    .warning, "receive: \(stream) poll failed (\(error)); trying again in \(pause.seconds) s",
                    ["event": "poll_failed", "stream": stream, "retry_in_s": pause.seconds])
            }
        }
        return ReceiverRun(
            name: stream,
            run: {
                try await poller.run().reduce(Totals()) { totals, report in
                    totals
                        + Totals(
                            enqueued: report.enqueued, duplicates: report.duplicates, ignored: report.ignored,
                            rejected: report.rejected)
                }
            },
            requestStop: poller.requestStop)
    }
}

extension ProcessLog {
    /// What became of this process's hold on `stream`.
    fileprivate func write(_ change: StreamHoldChange, of stream: String) {
        switch change {
        case .waiting:
            write(
                .info, "receive: \(stream) is held by another process; waiting to take over",
                ["event": "waiting", "stream": stream])
        case .holding:
            write(.info, "receive: holding \(stream)", ["event": "holding", "stream": stream])
        case .lost:
            write(
                .warning, "receive: lost the hold on \(stream); waiting to take it again",
                ["event": "lost_hold", "stream": stream])
        }
    }
}
