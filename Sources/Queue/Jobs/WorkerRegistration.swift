import Foundation
import JSON

/// What a worker process tells the store about itself, with the exchanges it commits anyway: who it is,
/// what it works, and what it has done since it started.
public struct WorkerRegistration: Sendable, Equatable {
    /// The id its leases carry (`host:pid`).
    public var id: String
    public var host: String
    public var pid: Int
    public var version: String
    public var queues: [String]
    public var concurrency: Int
    public var startedAt: Timestamp
    /// How often it refreshes its row at most; a row not refreshed for three times this is stale.
    public var refreshInterval: Duration
    /// Jobs it is running now.
    public var inFlight: Int
    public var tally: WorkerTally
    /// It has stopped cleanly: the row stays for a while, marked gone.
    public var stopped: Bool
    /// How it learns of new work; nil when not known (a row written by a build before this was kept).
    public var wakeups: Wakeups?

    public init(
        id: String, host: String, pid: Int, version: String, queues: [String], concurrency: Int,
        startedAt: Timestamp, refreshInterval: Duration, inFlight: Int = 0, tally: WorkerTally = WorkerTally(),
        stopped: Bool = false, wakeups: Wakeups? = nil
    ) {
        self.id = id
        self.host = host
        self.pid = pid
        self.version = version
        self.queues = queues
        self.concurrency = concurrency
        self.startedAt = startedAt
        self.refreshInterval = refreshInterval
        self.inFlight = inFlight
        self.tally = tally
        self.stopped = stopped
        self.wakeups = wakeups
    }
}

/// A worker's counts since it started: per queue and kind, what became of its jobs, and how long they ran.
public struct WorkerTally: Sendable, Equatable {
    /// What became of one queue's jobs of one kind.
    public struct Counts: Sendable, Equatable {
        public var completed = 0
        /// Failed attempts scheduled to run again.
        public var retried = 0
        public var deadLettered = 0
        /// Snoozed, or handed back at shutdown.
        public var snoozed = 0
        public var leasesLost = 0

        public init() {}
    }

    /// The upper bounds, in seconds, of the job-duration histogram's buckets (a last one holds the rest).
    public static let durationBounds: [Double] = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300]

    /// By queue, then kind.
    public var counts: [String: [String: Counts]] = [:]
    /// Jobs whose run ended, per duration bucket (not cumulative; one more than `durationBounds`).
    public var durations = [Int](repeating: 0, count: WorkerTally.durationBounds.count + 1)
    public var durationSum = 0.0
    /// What handlers met on the way, by name (`send telegram delivered`, `send slack held`): a name's
    /// words are its labels.
    public var events: [String: Int] = [:]

    public init() {}

    /// Counts one job's end in `queue` and `kind`.
    public mutating func count(queue: String, kind: String, _ change: (inout Counts) -> Void) {
        change(&counts[queue, default: [:]][kind, default: Counts()])
    }

    /// Records how long a job ran.
    public mutating func ran(for duration: Duration) {
        let seconds = duration.seconds
        let bucket = Self.durationBounds.firstIndex { seconds <= $0 } ?? Self.durationBounds.count
        durations[bucket] += 1
        durationSum += seconds
    }

    /// The tally as the JSON stored in a worker's row.
    package var json: JSONValue {
        var byQueue = JSONObject()
        for (queue, kinds) in counts.sorted(by: { $0.key < $1.key }) {
            var byKind = JSONObject()
            for (kind, counts) in kinds.sorted(by: { $0.key < $1.key }) {
                byKind.set(
                    kind,
                    .array(
                        [counts.completed, counts.retried, counts.deadLettered, counts.snoozed, counts.leasesLost]
                            .map { .integer(Int64($0)) }))
            }
            byQueue.set(queue, .object(byKind))
        }
        return .object(
            JSONObject([
                "counts": .object(byQueue), "durations": .array(durations.map { .integer(Int64($0)) }),
                "duration_sum": .double(durationSum),
                "events": .object(
                    JSONObject(
                        events.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .integer(Int64($0.value))) })),
            ]))
    }

    /// Reads the JSON of `json`; what it cannot read stays zero.
    package init(json: JSONValue?) {
        guard case .object(let object)? = json else { return }
        for queue in object["counts"]?.objectValue?.members ?? [] {
            for kind in queue.value.objectValue?.members ?? [] {
                let numbers = (kind.value.arrayValue ?? []).map { Int($0.integerValue ?? 0) }
                guard numbers.count == 5 else { continue }
                var counts = Counts()
                (counts.completed, counts.retried, counts.deadLettered, counts.snoozed, counts.leasesLost) = (
                    numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]
                )
                self.counts[queue.key, default: [:]][kind.key] = counts
            }
        }
        let stored = (object["durations"]?.arrayValue ?? []).map { Int($0.integerValue ?? 0) }
        if stored.count == durations.count {
            durations = stored
        }
        for event in object["events"]?.objectValue?.members ?? [] {
            events[event.key] = Int(event.value.integerValue ?? 0)
        }
        switch object["duration_sum"] {
        case .double(let sum)?: durationSum = sum
        case .integer(let sum)?: durationSum = Double(sum)
        default: break
        }
    }
}

/// A worker as the store last heard from it.
public struct WorkerRecord: Sendable {
    /// Whether the worker is still there.
    public enum State: String, Sendable, CaseIterable {
        /// It refreshed its row lately.
        case live
        /// It has not refreshed its row for three of its refresh intervals: stuck, or killed.
        case stale
        /// It stopped cleanly.
        case gone
    }

    public var registration: WorkerRegistration
    /// When its row was last refreshed.
    public var seenAt: Timestamp

    package init(registration: WorkerRegistration, seenAt: Timestamp) {
        self.registration = registration
        self.seenAt = seenAt
    }

    /// Its state at `now`.
    public func state(at now: Timestamp) -> State {
        if registration.stopped { return .gone }
        return now - seenAt <= registration.refreshInterval * 3 ? .live : .stale
    }
}

extension WorkerTally {
    /// The counts summed over every queue and kind.
    public var totals: Counts {
        counts.values.flatMap(\.values).reduce(into: Counts()) { $0.add($1) }
    }
}

extension WorkerTally.Counts {
    /// Adds another's counts to these.
    public mutating func add(_ other: Self) {
        completed += other.completed
        retried += other.retried
        deadLettered += other.deadLettered
        snoozed += other.snoozed
        leasesLost += other.leasesLost
    }
}
