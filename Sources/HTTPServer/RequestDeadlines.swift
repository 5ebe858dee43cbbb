import Dispatch
import Foundation
import Synchronization

/// Cuts off every connection whose request has not arrived whole within a total deadline, however it
/// trickles: the defence against slowloris that an idle timeout is not.
///
/// libmicrohttpd's connection timeout is an idle timeout, restarted by every byte, so a client sending
/// one header byte a second holds its connection for ever, and a thousand such clients held every slot
/// (`/healthz` failed for as long as they kept it up). libmicrohttpd 0.9.75 has no total deadline, so
/// this keeps one per connection: it starts when the connection opens and again when an answer has been
/// sent (a keep-alive connection waiting for its next request is held to it too), stops while a complete
/// request is being handled, and a sweep every `interval` shuts down (`shutdown(2)`, never `close`) the
/// socket of each connection past it. libmicrohttpd then sees the connection end and closes it itself,
/// through its usual path, and says so (`closed`) before it closes the descriptor; since a connection
/// leaves this table under the same lock the sweep shuts sockets down under, a descriptor is never shut
/// down after libmicrohttpd has closed it and the number has been given to another file.
final class RequestDeadlines: @unchecked Sendable {
    // @unchecked Sendable: the table is behind its Mutex; the sweep timer is set up in `init` and only
    // cancelled after that, and a dispatch source may be cancelled from any thread.
    private struct Tracked {
        let descriptor: Int32
        /// When its request must have arrived whole; nil while a request is handled or answered.
        var due: ContinuousClock.Instant?
    }

    /// How long a request may take to arrive, from the connection's start or the previous answer.
    let deadline: Duration
    private let connections = Mutex<[UInt: Tracked]>([:])
    private let sweeper: any DispatchSourceTimer

    /// Starts sweeping every `interval`.
    init(deadline: Duration, interval: Duration = .milliseconds(100)) {
        self.deadline = deadline
        sweeper = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "switchboard.http.deadlines"))
        let milliseconds = max(1, Int((interval / .milliseconds(1)).rounded()))
        sweeper.schedule(deadline: .now(), repeating: .milliseconds(milliseconds), leeway: .milliseconds(20))
        sweeper.setEventHandler { [weak self] in self?.sweep() }
        sweeper.activate()
    }

    deinit {
        sweeper.cancel()
    }

    /// A connection opened: its first request is due by the deadline.
    func opened(_ connection: OpaquePointer, descriptor: Int32) {
        guard descriptor >= 0 else { return }
        let due = ContinuousClock.now + deadline
        connections.withLock { $0[Self.key(connection)] = Tracked(descriptor: descriptor, due: due) }
    }

    /// A connection is closing: forget it before libmicrohttpd closes its descriptor.
    func closed(_ connection: OpaquePointer) {
        _ = connections.withLock { $0.removeValue(forKey: Self.key(connection)) }
    }

    /// Its request has arrived whole: handling and answering it are not the client's delay.
    func requestArrived(on connection: OpaquePointer) {
        connections.withLock { $0[Self.key(connection)]?.due = nil }
    }

    /// Its answer has been sent: the next request on the connection is due by the deadline.
    func answered(on connection: OpaquePointer) {
        let due = ContinuousClock.now + deadline
        connections.withLock { $0[Self.key(connection)]?.due = due }
    }

    /// Shuts down the socket of every connection past its deadline, once.
    private func sweep() {
        let now = ContinuousClock.now
        connections.withLock { connections in
            for (key, tracked) in connections {
                guard let due = tracked.due, due <= now else { continue }
                shutdown(tracked.descriptor, Int32(SHUT_RDWR))
                connections[key]?.due = nil
            }
        }
    }

    private static func key(_ connection: OpaquePointer) -> UInt {
        UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection)))
    }
}
