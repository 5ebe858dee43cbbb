import Foundation
import Queue
import Synchronization

/// Jobs completed per minute over the last hour, sampled by `serve` from the workers' rows.
package final class ThroughputHistory: Sendable {
    private let samples = Mutex([(at: Timestamp, completed: Int)]())

    package init() {}

    func record(at: Timestamp, completed: Int) {
        samples.withLock { samples in
            samples.append((at, completed))
            if samples.count > 61 { samples.removeFirst(samples.count - 61) }
        }
    }

    /// A bar per minute, as inline SVG.
    func chart() -> HTML {
        let samples = self.samples.withLock { $0 }
        // The counts come from the workers' rows: a row changed behind Switchboard's back must not make a
        // subtraction trap, so it saturates (a worker that restarted makes a minute read 0).
        let perMinute = zip(samples.dropFirst(), samples).map { later, earlier in
            let (difference, overflow) = later.completed.subtractingReportingOverflow(earlier.completed)
            return overflow ? 0 : max(0, difference)
        }
        guard !perMinute.isEmpty else {
            return HTML.element(
                "p", "Collecting: the chart fills in a minute at a time while serve runs.", class: "muted")
        }
        let top = max(1, perMinute.max() ?? 1)
        let bars = perMinute.enumerated().map { index, count in
            let height = Double(count) / Double(top) * 100
            return
                "<rect x=\"\(index * 10)\" y=\"\(String(format: "%.1f", 100 - height))\" width=\"8\" height=\"\(String(format: "%.1f", height))\" fill=\"#3c6fd1\"><title>\(count)</title></rect>"
        }.joined()
        return HTML(
            trusted:
                "<svg viewBox=\"0 0 600 100\" role=\"img\" aria-label=\"completed per minute, up to \(top)\">\(bars)</svg>"
        )
    }
}
