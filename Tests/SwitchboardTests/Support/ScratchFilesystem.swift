import Foundation
import Harness

/// A small filesystem of a test's own (a tmpfs mounted on a new temporary directory), which the test
/// can really fill: a full disk, not a mock of one. Unmounted, and its directory removed, when released.
///
/// Mounting needs CAP_SYS_ADMIN: the tests run as root here and in CI. Where that is missing, the tests
/// that need one are skipped, saying so (`canMount`).
final class ScratchFilesystem: Sendable {
    let path: String
    private var ballast: String { path + "/ballast" }

    /// Whether this process may mount a tmpfs, tried once.
    static let canMount: Bool = {
        guard let scratch = try? ScratchFilesystem(megabytes: 1) else { return false }
        return withExtendedLifetime(scratch) { true }
    }()

    /// Mounts a tmpfs of `megabytes` on a new temporary directory.
    init(megabytes: Int) throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-full-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m,mode=0777") == 0 else {
            let code = errno
            rmdir(path)
            throw HarnessFailure("cannot mount a tmpfs on \(path): \(String(cString: strerror(code)))")
        }
    }

    deinit {
        umount2(path, Int32(MNT_DETACH))
        rmdir(path)
    }

    /// Writes a file until the filesystem is full (ENOSPC), so that nothing else can take new space.
    func fill() throws {
        let descriptor = open(ballast, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw HarnessFailure("cannot create \(ballast): errno \(errno)") }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x5A, count: 64 * 1_024)
        var size = chunk.count
        while true {
            let written = write(descriptor, chunk, size)
            if written > 0 { continue }
            guard written < 0, errno == ENOSPC else {
                throw HarnessFailure("writing \(ballast) failed: errno \(errno)")
            }
            // The last blocks: smaller writes, down to a byte.
            guard size > 1 else { return }
            size /= 2
        }
    }

    /// Removes what `fill` wrote.
    func free() {
        unlink(ballast)
    }
}
