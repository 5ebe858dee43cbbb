import Enqueuer
import Foundation
import HTTPClient
import Synchronization

/// Fetches the files of a turn's messages through each provider's API, within `AttachmentSettings`' limits,
/// and keeps them in the store.
///
/// Only from the provider's own hosts: its API's (`providers.P.base_url`) and the file hosts it names,
/// over HTTPS (plain HTTP only where the configured API is, a local server); a redirect is followed only to
/// those hosts, at most three times. A file is refused unread when the provider declares it too large, and
/// while it downloads as soon as it grows past the limit.
final class AttachmentFetcher: Sendable {
    /// A provider's downloads, with the address its API was configured at.
    struct Source: Sendable {
        let downloads: any AttachmentDownloading
        let baseURL: String
    }

    let settings: AttachmentSettings
    /// Where fetched files are kept; nil when there is nowhere (PostgreSQL with neither a directory nor
    /// object storage configured).
    let store: AttachmentStore?
    let http: HTTPClient
    let sources: [Provider: Source]
    let connectTimeout: Duration
    /// When this process last pruned the kept files.
    private let pruning = Mutex(ContinuousClock.now - pruneInterval)

    init(
        settings: AttachmentSettings, store: AttachmentStore?, http: HTTPClient, sources: [Provider: Source],
        connectTimeout: Duration
    ) {
        self.settings = settings
        self.store = store
        self.http = http
        self.sources = sources
        self.connectTimeout = connectTimeout
    }

    /// How many files a process downloads at once (the fetcher's own HTTP client): each is held in memory
    /// whole until it is kept, so this bounds what downloads take to this many times `max_file_bytes`.
    static let downloadsInFlight = 4
    /// How long one file may take to download.
    static let downloadTimeout = Duration.seconds(60)
    /// The most redirects followed for one file.
    static let maxRedirects = 3
    /// How long one turn spends fetching its files; those not begun by then are not fetched.
    static let turnTime = Duration.seconds(120)
    /// How often a process prunes kept files past their retention, and how many at most each time.
    static let pruneInterval = Duration.seconds(600)
    static let pruneLimit = 200

    /// Each attachment of `events`, in order, fetched or with the reason it was not.
    /// - Parameter lastAttempt: failures that may pass are the agent's to hear of, not a reason to try
    ///   the turn again.
    /// - Throws: `AttachmentFailure.transient` when a file could not be fetched for a reason that may pass,
    ///   unless `lastAttempt`.
    func fetch(_ events: [InboundEvent], lastAttempt: Bool) async throws(AttachmentFailure) -> [TurnAttachment] {
        guard events.contains(where: { !$0.attachments.isEmpty }) else { return [] }
        pruneIfDue()
        var fetched: [TurnAttachment] = []
        var budget = settings.maxTurnBytes
        var inlineBudget = settings.inlineBytes
        let deadline = ContinuousClock.now + Self.turnTime
        for event in events {
            for (index, attachment) in event.attachments.enumerated() {
                guard ContinuousClock.now < deadline else {
                    fetched.append(.unread(attachment, because: "not fetched: the turn's time for files ran out"))
                    continue
                }
                guard index < settings.maxFiles else {
                    fetched.append(
                        .unread(attachment, because: "not fetched: a message's first \(settings.maxFiles) files are"))
                    continue
                }
                do throws(AttachmentFailure) {
                    var (turnAttachment, bytes) = try await fetch(attachment, of: event, budget: budget)
                    budget -= bytes.count
                    if bytes.count <= inlineBudget {
                        turnAttachment.data = bytes
                        inlineBudget -= bytes.count
                    } else if turnAttachment.url == nil {
                        turnAttachment.note = "not given inline: the turn's files pass \(settings.inlineBytes) bytes"
                    }
                    fetched.append(turnAttachment)
                } catch .transient(let reason) where lastAttempt {
                    fetched.append(.unread(attachment, because: "could not be fetched: \(reason)"))
                } catch .unreadable(let reason) {
                    fetched.append(.unread(attachment, because: reason))
                }
            }
        }
        return fetched
    }

    /// Deletes a bounded batch of kept files past their retention, at most once per `pruneInterval` in
    /// this process: like completed jobs, a little at a time, by whoever works.
    private func pruneIfDue() {
        guard let store else { return }
        let due = pruning.withLock { last in
            guard ContinuousClock.now - last >= Self.pruneInterval else { return false }
            last = ContinuousClock.now
            return true
        }
        if due {
            let cutoff = Date() - settings.retention.seconds
            Task { await store.prune(usedBefore: cutoff, limit: Self.pruneLimit) }
        }
    }

    /// One attachment, kept, with its bytes (for the caller to give inline, or not).
    private func fetch(_ attachment: InboundAttachment, of event: InboundEvent, budget: Int)
        async throws(AttachmentFailure) -> (TurnAttachment, Data)
    {
        guard attachment.reference != nil else {
            return (.unread(attachment, because: "the provider sends no file for it"), Data())
        }
        guard let store else {
            throw .unreadable("not fetched: no attachments directory is configured for this database")
        }
        guard let source = sources[event.provider] else {
            throw .unreadable("not fetched: replies do not go through \(event.provider.rawValue)'s API")
        }
        let limit = min(settings.maxFileBytes, budget)
        if let declared = attachment.declaredSize, declared > limit {
            throw .unreadable("not fetched: \(declared) bytes, over the limit of \(limit)")
        }
        var request = try await source.downloads.attachmentRequest(for: attachment, in: event)
        request.connectTimeout = connectTimeout
        request.totalTimeout = Self.downloadTimeout
        request.maxResponseBytes = limit
        request.refusesLargerBodies = true
        let downloaded = try await download(request, from: source)
        let bytes = try source.downloads.plaintext(of: downloaded, for: attachment)
        let digest = try await store.keep(bytes)
        let contentType = ContentSniffer.reconcile(
            sniffed: ContentSniffer.contentType(of: bytes), declared: attachment.contentType)
        return (
            TurnAttachment(
                kind: attachment.kind, fileName: SafeFileName(attachment.fileName)?.name, contentType: contentType,
                size: bytes.count, sha256: digest,
                url: settings.links?.url(digest: digest, contentType: contentType, now: Date())
                    ?? store.link(digest: digest, now: Date()),
                transcript: attachment.transcript),
            bytes
        )
    }

    /// The body of `request`, following redirects within the provider's hosts.
    private func download(_ request: HTTPRequest, from source: Source) async throws(AttachmentFailure) -> Data {
        var request = request
        let firstHost = URLComponents(string: request.url)?.host?.lowercased()
        for _ in 0...Self.maxRedirects {
            try Self.check(request.url, source: source)
            let response = try await fetch(request, failing: "download")
            switch response.status {
            case 200: return response.body
            case 301, 302, 303, 307, 308:
                guard let location = response.headers["location"],
                    let next = URL(string: location, relativeTo: URL(string: request.url))?.absoluteURL
                else {
                    throw .unreadable("the provider redirected the download without a usable Location")
                }
                request.url = next.absoluteString
                request.method = .get
                request.body = nil
                // Credentials go to the host they were meant for only (as libcurl would do).
                if next.host?.lowercased() != firstHost {
                    request.headers.removeAll { $0.name.lowercased() == "authorization" }
                }
            case 401:
                await source.downloads.credentialsRefused()
                throw .transient("the file's host refused the credentials (HTTP 401)")
            case 429, 500...:
                throw .transient("the file's host answered HTTP \(response.status)")
            default:
                throw .unreadable("the file's host answered HTTP \(response.status)")
            }
        }
        throw .unreadable("the download was redirected more than \(Self.maxRedirects) times")
    }

    /// The answer to `request`, a file's download: one grown past `maxResponseBytes` is refused for good, a
    /// transport failure (`what` failed) may pass.
    func fetch(_ request: HTTPRequest, failing what: String) async throws(AttachmentFailure) -> HTTPResponse {
        do {
            return try await http.send(request)
        } catch let error where error.code == .tooLarge {
            throw .unreadable("refused while downloading: larger than \(request.maxResponseBytes) bytes")
        } catch {
            throw .transient("\(what): \(error.code)")
        }
    }

    /// Refuses a URL off the provider's hosts, or not over HTTPS (plain HTTP only to a configured API that
    /// is itself plain HTTP, a local server).
    static func check(_ url: String, source: Source) throws(AttachmentFailure) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty, components.user == nil,
            components.password == nil
        else {
            throw .unreadable("refused: not a URL of the provider's")
        }
        let api = URLComponents(string: source.baseURL)
        let isAPI = host == api?.host?.lowercased() && components.port == api?.port
        let isFileHost = source.downloads.fileHosts.contains { allowed in
            allowed.hasPrefix(".") ? host.hasSuffix(allowed) || "." + host == allowed : host == allowed
        }
        guard isAPI || isFileHost else {
            throw .unreadable("refused: \(host) is not one of the provider's hosts")
        }
        guard scheme == "https" || (scheme == "http" && isAPI && api?.scheme?.lowercased() == "http") else {
            throw .unreadable("refused: \(scheme) is not HTTPS")
        }
    }
}
