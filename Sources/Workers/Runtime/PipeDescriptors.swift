import CSystem
import Foundation
import Synchronization

/// A pipe whose both ends are close-on-exec from the start, so no child spawned meanwhile inherits it.
public struct PipeDescriptors: Sendable {
    public let read: Int32
    public let write: Int32

    public init() throws(POSIXError) {
        var fds: [Int32] = [0, 0]
        guard sb_pipe_cloexec(&fds) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        read = fds[0]
        write = fds[1]
    }
}
