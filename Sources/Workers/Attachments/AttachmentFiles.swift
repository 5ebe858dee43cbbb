import Foundation

/// The kept files `serve` hands out through signed links (`AttachmentLinks`), from the directory the
/// workers keep them in. Files kept in object storage (`attachments.s3`) are not served here: the agent
/// is given the object store's own presigned link.
public struct AttachmentFiles: Sendable {
    /// What a link's request gets.
    public enum Answer: Sendable, Equatable {
        /// The file, open for reading (the caller closes it), `size` bytes, to be served as `contentType`.
        case file(contentType: String, descriptor: Int32, size: Int)
        /// The link is not signed with the secret, or has expired.
        case refused
        /// The link is good but no file is kept under it (pruned, or kept on another machine).
        case missing
    }

    let links: AttachmentLinks
    let store: AttachmentDirectory

    /// Nil unless links are configured and the files have a directory.
    public init?(_ settings: AttachmentSettings) {
        guard let links = settings.links, let directory = settings.directory else { return nil }
        self.links = links
        store = AttachmentDirectory(directory: URL(fileURLWithPath: directory))
    }

    /// What a request for `digest` with `query` gets at `now`.
    public func answer(digest: String, query: [String: String], now: Date = Date()) async -> Answer {
        guard let contentType = links.contentType(digest: digest, query: query, now: now) else { return .refused }
        guard let (descriptor, size) = await store.open(digest) else { return .missing }
        return .file(contentType: contentType, descriptor: descriptor, size: size)
    }
}
