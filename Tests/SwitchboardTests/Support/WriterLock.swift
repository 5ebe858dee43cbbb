import Foundation

/// The write turnstile of a database (`DATABASE-writer`) as the kernel's lock table shows it, and held
/// by the test itself when it needs another writer to wait.
final class WriterLock {
    private let descriptor: Int32

    /// Takes the lock on `databasePath`'s turnstile, as a writer in another process would.
    init(databasePath: String) throws {
        descriptor = open(databasePath + "-writer", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0, flock(descriptor, LOCK_EX) == 0 else {
            throw WaitTimeout(what: "the test could lock \(databasePath)-writer")
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
    }

    deinit {
        close(descriptor)
    }

    /// The `/proc/locks` lines about the turnstile's file: the holder, and (with `->`) those waiting.
    private static func entries(_ databasePath: String) -> [Substring] {
        var status = stat()
        guard stat(databasePath + "-writer", &status) == 0,
            // Foundation stops a file that reports no size after 4 KiB: read the table to its end.
            let table = try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/locks")).readToEnd()
        else { return [] }
        return String(decoding: table, as: UTF8.self).split(separator: "\n").filter {
            $0.split(separator: " ").contains { $0.hasSuffix(":\(status.st_ino)") }
        }
    }

    /// The pid holding the turnstile, if any.
    static func holder(of databasePath: String) -> Int32? {
        entries(databasePath).first { !$0.contains("->") }.flatMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 ? Int32(fields[4]) : nil
        }
    }

    /// True while some writer waits for the turnstile.
    static func hasWaiter(_ databasePath: String) -> Bool {
        entries(databasePath).contains { $0.contains("->") }
    }
}

/// True while `pid` is a process that has not ended (a zombie has ended).
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

/// The pids of a process's children.
func children(of pid: Int32) -> [Int32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.flatMap { task in
        ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
            .split(separator: " ").compactMap { Int32($0) }
    }
}
