import Dispatch
import Enqueuer
import Foundation

/// Fetched files kept in a directory by their SHA-256 (`ab/abcdef...`), `AttachmentStore`'s local
/// backend: a file fetched again (a redelivered message, a retried turn) is kept once. The directory is
/// the owner's alone (0700, files 0600). Its calls block on the disk, so they run on a dispatch queue of
/// their own, never on Swift's cooperative pool.
struct AttachmentDirectory: Sendable {
    let directory: URL

    private static let disk = DispatchQueue(label: "switchboard.attachments", qos: .utility, attributes: .concurrent)

    /// Keeps `data` unless a file with its digest is kept already; returns the digest in lower-case hex.
    /// The file appears whole or not at all: written beside its place, flushed, then renamed into it.
    /// - Throws: `AttachmentFailure.transient` when the directory cannot be written (a full disk).
    func keep(_ data: Data) async throws(AttachmentFailure) -> String {
        try await onDisk { () throws(AttachmentFailure) in try keepNow(data) }.get()
    }

    /// The file kept under `digest` (64 lower-case hex digits), open for reading, with its size; nil
    /// when none is.
    func open(_ digest: String) async -> (descriptor: Int32, size: Int)? {
        await onDisk { () -> (descriptor: Int32, size: Int)? in
            guard Self.isDigest(digest) else { return nil }
            let descriptor = Foundation.open(path(of: digest).path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { return nil }
            var status = stat()
            guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
                close(descriptor)
                return nil
            }
            return (descriptor, Int(status.st_size))
        }
    }

    /// The bytes kept under `digest`, checked against it; nil when none are kept.
    /// - Throws: `AttachmentFailure.transient` when the file is there but cannot be read whole.
    func read(_ digest: String) async throws(AttachmentFailure) -> Data? {
        guard let (descriptor, size) = await open(digest) else { return nil }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data = await onDisk { try? handle.readToEnd() ?? Data() }
        guard let data, data.count == size, WebhookCrypto.hex(WebhookCrypto.sha256(data)) == digest else {
            throw .transient("the kept file \(digest.prefix(12)) cannot be read whole")
        }
        return data
    }

    /// Deletes at most `limit` kept files last used before `cutoff` (and partial files left by a crash that
    /// old); returns how many went. Only regular files named as this store names them are touched: a
    /// directory shared with anything else loses nothing else.
    @discardableResult
    func prune(usedBefore cutoff: Date, limit: Int) async -> Int {
        await onDisk { pruneNow(usedBefore: cutoff, limit: limit) }
    }

    private func keepNow(_ data: Data) throws(AttachmentFailure) -> String {
        let digest = WebhookCrypto.hex(WebhookCrypto.sha256(data))
        let destination = path(of: digest)
        // A file kept already is marked used now, so its retention counts from its last use.
        if utimes(destination.path, nil) == 0 { return digest }
        let folder = destination.deletingLastPathComponent()
        let partial = folder.appendingPathComponent(".\(digest).\(UUID().uuidString).partial")
        do {
            let ownerOnly: [FileAttributeKey: Any] = [.posixPermissions: 0o700]
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: ownerOnly)
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: ownerOnly)
            guard
                FileManager.default.createFile(
                    atPath: partial.path, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown) }
            let handle = try FileHandle(forWritingTo: partial)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
            guard rename(partial.path, destination.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw .transient("cannot keep a fetched file: \(error.localizedDescription)")
        }
        return digest
    }

    private func pruneNow(usedBefore cutoff: Date, limit: Int) -> Int {
        let manager = FileManager.default
        guard let folders = try? manager.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var deleted = 0
        for folder in folders.sorted() where folder.utf8.count == 2 {
            let path = directory.appendingPathComponent(folder, isDirectory: true)
            for name in (try? manager.contentsOfDirectory(atPath: path.path)) ?? [] {
                guard deleted < limit else { return deleted }
                guard Self.isKept(name, in: folder) else { continue }
                var status = stat()
                let file = path.appendingPathComponent(name).path
                guard lstat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
                    Double(status.st_mtim.tv_sec) < cutoff.timeIntervalSince1970, unlink(file) == 0
                else { continue }
                deleted += 1
            }
        }
        return deleted
    }

    /// Whether `name` in `folder` is one of this store's: a digest starting with the folder's name, or a
    /// partial file of one (`.DIGEST.UUID.partial`).
    private static func isKept(_ name: String, in folder: String) -> Bool {
        let digest = name.hasPrefix(".") && name.hasSuffix(".partial") ? String(name.dropFirst().prefix(64)) : name
        return isDigest(digest) && digest.hasPrefix(folder)
            && (digest == name || name.utf8.count == 1 + 64 + 1 + 36 + ".partial".utf8.count)
    }

    /// Where the file of `digest` is kept.
    private func path(of digest: String) -> URL {
        directory.appendingPathComponent(String(digest.prefix(2)), isDirectory: true).appendingPathComponent(digest)
    }

    /// Whether `text` is a digest as files are named: 64 lower-case hex digits, nothing that leaves the
    /// directory.
    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && WebhookCrypto.bytes(hex: text) != nil && text == text.lowercased()
    }

    private func onDisk<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Self.disk.async { continuation.resume(returning: work()) }
        }
    }

    private func onDisk<T: Sendable>(_ work: @escaping @Sendable () throws(AttachmentFailure) -> T) async
        -> Result<T, AttachmentFailure>
    {
        await onDisk { () -> Result<T, AttachmentFailure> in
            do throws(AttachmentFailure) { return .success(try work()) } catch { return .failure(error) }
        }
    }
}
