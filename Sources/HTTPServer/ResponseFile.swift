import Foundation
import Synchronization

/// An open file a response's body is read from, by libmicrohttpd, as it is sent: a large body is never
/// held in memory. The descriptor is closed by libmicrohttpd once it has taken it, or here when the
/// response goes unsent.
package final class ResponseFile: Sendable {
    private let descriptor: Int32
    /// The bytes sent: the file's size when it was opened.
    let size: Int
    private let taken = Atomic(false)

    /// Takes ownership of `descriptor`, open for reading, whose file is `size` bytes long.
    package init(descriptor: Int32, size: Int) {
        self.descriptor = descriptor
        self.size = size
    }

    /// The descriptor, for libmicrohttpd to read and close; nil once taken.
    func take() -> Int32? {
        taken.exchange(true, ordering: .acquiringAndReleasing) ? nil : descriptor
    }

    deinit {
        if !taken.load(ordering: .acquiring) {
            close(descriptor)
        }
    }
}
