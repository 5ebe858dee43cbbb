import Enqueuer
import Foundation

/// Fetched files kept in a directory by their SHA-256 (`ab/abcdef...`): a file fetched again (a
/// redelivered message, a retried turn) is kept once.
struct AttachmentStore: Sendable {
    let directory: URL

    /// Keeps `data` unless a file with its digest is kept already; returns the digest in lower-case hex.
    /// The file appears whole or not at all: written beside its place, flushed, then renamed into it.
    /// - Throws: `AttachmentFailure.transient` when the directory cannot be written (a full disk).
    func keep(_ data: Data) throws(AttachmentFailure) -> String {
        let digest = WebhookCrypto.hex(WebhookCrypto.sha256(data))
        let folder = directory.appendingPathComponent(String(digest.prefix(2)), isDirectory: true)
        let destination = folder.appendingPathComponent(digest)
        guard !FileManager.default.fileExists(atPath: destination.path) else { return digest }
        let partial = folder.appendingPathComponent(".\(digest).\(UUID().uuidString).partial")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown)
            }
            let handle = try FileHandle(forWritingTo: partial)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
            guard rename(partial.path, destination.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw .transient("cannot keep a fetched file in \(directory.path): \(error)")
        }
        return digest
    }
}
