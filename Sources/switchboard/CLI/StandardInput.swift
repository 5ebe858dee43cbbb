import Dispatch
import Foundation

/// Reads standard input off the cooperative thread pool: a slow pipe must not stall other tasks.
enum StandardInput {
    static func readAll() async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: FileHandle.standardInput.readDataToEndOfFile())
            }
        }
    }

    static var isTerminal: Bool {
        isatty(STDIN_FILENO) == 1
    }
}
