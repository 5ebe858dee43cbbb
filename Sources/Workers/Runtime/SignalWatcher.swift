import CSystem
import Dispatch
import Foundation

/// Delivers SIGTERM, SIGINT and SIGHUP to a closure instead of letting them end the process: a worker
/// whose terminal closes stops as if told to, handing back its jobs and ending its commands.
///
/// The signals are ignored at the process level and read through dispatch sources, so the closure
/// runs on an ordinary queue and may do anything, unlike a C signal handler.
public final class SignalWatcher: @unchecked Sendable {
    // @unchecked Sendable: `sources` is written once in `init` and only read (to cancel) in `deinit`.
    private let sources: [any DispatchSourceSignal]

    /// Returns once every source is registered: libdispatch registers a source on its manager thread
    /// after `resume`, and a signal that came between ignoring it and that registration was lost, so a
    /// SIGTERM sent once a command said it was ready could go unheard.
    ///
    /// - Parameter handler: called with the signal number, once per delivery, on a dispatch queue.
    public init(signals: [Int32] = [SIGTERM, SIGINT, SIGHUP], handler: @escaping @Sendable (Int32) -> Void) {
        let registered = DispatchSemaphore(value: 0)
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.setRegistrationHandler { registered.signal() }
            source.resume()
            return source
        }
        for _ in sources {
            registered.wait()
        }
    }

    deinit {
        for source in sources {
            source.cancel()
        }
    }
}
