import Foundation
import HTTPClient

/// Where fetched files are kept, by their SHA-256: a directory (`AttachmentDirectory`, the default) or,
/// with `attachments.s3`, a bucket of an S3-compatible object store (`AttachmentObjects`). The fetcher and
/// the senders keep, read and prune through it without knowing which.
enum AttachmentStore: Sendable {
    case directory(AttachmentDirectory)
    case objects(AttachmentObjects)

    /// Files kept in `directory`.
    init(directory: URL) {
        self = .directory(AttachmentDirectory(directory: directory))
    }

    /// The store `settings` name: the object store when `s3` is set, else the directory; nil when there is
    /// neither (PostgreSQL with no directory configured).
    /// - Parameter connectTimeout: how long a request to the object store may take to connect.
    init?(_ settings: AttachmentSettings, connectTimeout: Duration) {
        if let s3 = settings.s3 {
            let http = HTTPClient(maxInFlight: AttachmentObjects.requestsInFlight)
            self = .objects(AttachmentObjects(ObjectStorage(s3, http: http, connectTimeout: connectTimeout)))
        } else if let directory = settings.directory {
            self.init(directory: URL(fileURLWithPath: directory))
        } else {
            return nil
        }
    }

    /// Keeps `data` unless a file with its digest is kept already, which is marked used now; returns the
    /// digest in lower-case hex.
    /// - Throws: `AttachmentFailure.transient` when the file could not be kept for a reason that may pass (a
    ///   full disk, an object store that cannot be reached); `.unreadable` naming the setting to check when
    ///   the object store refuses the configured bucket or keys.
    func keep(_ data: Data) async throws(AttachmentFailure) -> String {
        switch self {
        case .directory(let directory): try await directory.keep(data)
        case .objects(let objects): try await objects.keep(data)
        }
    }

    /// The bytes kept under `digest`, checked against it; nil when none are kept.
    /// - Throws: `AttachmentFailure` when they are there but cannot be read whole, or the store fails.
    func read(_ digest: String) async throws(AttachmentFailure) -> Data? {
        switch self {
        case .directory(let directory): try await directory.read(digest)
        case .objects(let objects): try await objects.read(digest)
        }
    }

    /// Deletes at most `limit` kept files last used before `cutoff`; returns how many went.
    @discardableResult
    func prune(usedBefore cutoff: Date, limit: Int) async -> Int {
        switch self {
        case .directory(let directory): await directory.prune(usedBefore: cutoff, limit: limit)
        case .objects(let objects): await objects.prune(usedBefore: cutoff, limit: limit)
        }
    }

    /// A link to the file that the agent fetches from the store itself: the object store's presigned GET;
    /// nil for a directory, whose files `serve` answers for (`AttachmentLinks`).
    func link(digest: String, now: Date) -> String? {
        switch self {
        case .directory: nil
        case .objects(let objects): objects.link(digest: digest, now: now)
        }
    }
}
