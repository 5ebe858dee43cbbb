import Foundation

/// A failure of the storage under the database that is not SQLite's own error: the write turnstile's
/// file could not be opened or locked, or the database could not be put in WAL mode. It names what was
/// attempted, on which file, and why; no SQLite code is made up for it.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What was attempted: a system call (`open`, `flock`) or a statement (`PRAGMA journal_mode=WAL`).
    public let operation: String
    public let path: String
    public let reason: String
    /// The `errno` of a failed system call.
    public let code: Int32?

    package init(operation: String, path: String, reason: String, code: Int32? = nil) {
        self.operation = operation
        self.path = path
        self.reason = reason
        self.code = code
    }

    /// A failed system call, with the system's reason for `errno`.
    static func system(_ operation: String, path: String, errno code: Int32) -> StorageError {
        StorageError(operation: operation, path: path, reason: String(cString: strerror(code)), code: code)
    }

    public var description: String {
        "\(operation) \(path): \(reason)"
    }
}
