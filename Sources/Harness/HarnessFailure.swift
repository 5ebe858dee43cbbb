import Foundation

/// A benchmark run or a helper process that did not do what it had to: a child that ended before it
/// reported, workers that completed fewer jobs than were enqueued.
package struct HarnessFailure: Error, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}
