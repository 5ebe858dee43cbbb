import Foundation
import Synchronization

/// A clock that moves only when told to: `advance(by:)`, or `sleep(for:)`, which advances at once.
public final class ManualClock: WallClock {
    private let current: Mutex<Timestamp>

    public init(_ start: Timestamp = Timestamp(millisecondsSince1970: 1_700_000_000_000)) {
        self.current = Mutex(start)
    }

    public func now() -> Timestamp {
        current.withLock { $0 }
    }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0 + duration }
    }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        advance(by: duration)
    }
}
