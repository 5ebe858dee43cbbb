import Foundation

/// A failure of the file system under the database that is not SQLite's own: the write turnstile's
/// file could not be opened or locked. It names the call, the file and the system's reason.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// The system call that failed (`open`, `flock`).
    public let operation: String
    public let path: String
    /// The `errno` it failed with.
    public let code: Int32

    static func system(_ operation: String, path: String, errno code: Int32) -> StorageError {
        StorageError(operation: operation, path: path, code: code)
    }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(code)))"
    }
}
