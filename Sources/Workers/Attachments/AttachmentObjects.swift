import Enqueuer
import Foundation
import Synchronization

/// Fetched files kept in a bucket of an S3-compatible object store by their SHA-256
/// (`PREFIX/ab/abcdef...`), `AttachmentStore`'s backend for a fleet: every worker reaches the same files,
/// and the agent fetches them by presigned links, without `serve`.
///
/// "Last used" is the object's `LastModified`. Keeping a file that is there already copies it onto itself
/// (CopyObject with `x-amz-metadata-directive: REPLACE`, which the store dates now) and uploads nothing;
/// only when there is no such object is it uploaded. Pruning lists the objects (ListObjectsV2) and deletes
/// those last modified before the cutoff. As with the directory, a file kept again between the listing
/// and the delete still goes: the next turn that needs it fetches it again.
final class AttachmentObjects: Sendable {
    let storage: ObjectStorage
    /// The key the next prune lists after: each goes on where the last stopped, so the whole bucket is
    /// visited a bounded batch at a time; nil starts from the first key.
    private let pruneCursor = Mutex<String?>(nil)

    /// How many requests to the store one process has in flight at once.
    static let requestsInFlight = 4
    /// The most keys one prune looks at, deleted or not.
    static let pruneListed = 5_000

    init(_ storage: ObjectStorage) {
        self.storage = storage
    }

    /// Keeps `data` unless an object with its digest is kept already (that one is marked used now); returns
    /// the digest in lower-case hex.
    /// - Throws: `AttachmentFailure.transient` when the store cannot be reached or fails (5xx, 429);
    ///   `.unreadable` naming the setting to check when it refuses (a wrong key, a missing bucket).
    func keep(_ data: Data) async throws(AttachmentFailure) -> String {
        let digest = WebhookCrypto.hex(WebhookCrypto.sha256(data))
        do {
            if try await !storage.touch(key(of: digest)) {
                try await storage.put(key(of: digest), data)
            }
        } catch {
            throw error.failure
        }
        return digest
    }

    /// The bytes kept under `digest`, checked against it; nil when none are kept.
    /// - Throws: `AttachmentFailure` as `keep` does, and `.transient` when the bytes do not match the digest.
    func read(_ digest: String) async throws(AttachmentFailure) -> Data? {
        guard AttachmentDirectory.isDigest(digest) else { return nil }
        let data: Data?
        do {
            data = try await storage.get(key(of: digest))
        } catch {
            throw error.failure
        }
        guard let data else { return nil }
        guard WebhookCrypto.hex(WebhookCrypto.sha256(data)) == digest else {
            throw .transient("the kept object \(digest.prefix(12)) did not come back whole")
        }
        return data
    }

    /// Deletes at most `limit` objects last used before `cutoff`, looking at no more than `pruneListed`
    /// keys; returns how many went. Only keys named as this store names them are touched: a bucket shared
    /// with anything else loses nothing else. A failing store ends the run; the next one tries again.
    func prune(usedBefore cutoff: Date, limit: Int) async -> Int {
        var after = pruneCursor.withLock { $0 }
        var deleted = 0
        var looked = 0
        listing: while deleted < limit, looked < Self.pruneListed {
            guard let page = try? await storage.list(prefix: listedPrefix, after: after) else { break }
            for object in page.objects {
                guard deleted < limit, looked < Self.pruneListed else { break listing }
                if isKept(object.key), object.lastModified < cutoff {
                    guard (try? await storage.delete(object.key)) != nil else { break listing }
                    deleted += 1
                }
                looked += 1
                after = object.key
            }
            if page.next == nil {
                after = nil
                break
            }
        }
        pruneCursor.withLock { [after] in $0 = after }
        return deleted
    }

    /// A presigned GET of the object kept under `digest`, working for the configured `url_lifetime`.
    func link(digest: String, now: Date) -> String {
        storage.presignedURL(key(of: digest), now: now, lifetime: storage.settings.linkLifetime)
    }

    /// `PREFIX/ab/abcdef...`.
    func key(of digest: String) -> String {
        listedPrefix + digest.prefix(2) + "/" + digest
    }

    /// What every key of this store starts with: the prefix and a slash, or nothing.
    private var listedPrefix: String {
        storage.settings.prefix.isEmpty ? "" : storage.settings.prefix + "/"
    }

    /// Whether `key` is one of this store's: `PREFIX/ab/DIGEST`, the folder the digest's first two digits.
    private func isKept(_ key: String) -> Bool {
        guard key.hasPrefix(listedPrefix) else { return false }
        let parts = key.dropFirst(listedPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && AttachmentDirectory.isDigest(String(parts[1])) && parts[1].hasPrefix(parts[0])
            && parts[0].count == 2
    }
}
