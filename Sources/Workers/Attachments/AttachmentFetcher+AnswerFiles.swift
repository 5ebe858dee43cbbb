import Enqueuer
import Foundation
import HTTPClient

/// A file of an agent's answer, kept and ready for a delivery job to send, or why it will not be sent.
enum KeptAnswerFile: Sendable, Equatable {
    case kept(OutboundFile, caption: String?)
    case unsent(name: String, reason: String, caption: String?)
}

extension AttachmentFetcher {
    /// The longest caption sent with one file, in characters; a longer one is cut.
    static let maxCaptionCharacters = 1_024
    /// How long an answer's files may take to fetch, all together; those not fetched by then are notes.
    static let answerFilesTime = Duration.seconds(60)
    /// How many times a file at the agent's URL is asked for when it fails for a reason that may pass, a
    /// second apart: a turn is not tried again for it (that would ask the agent again).
    static let answerFileAttempts = 3

    /// Keeps the files of an agent's answer in the store, in order, for delivery jobs to send: the bytes
    /// given inline, or fetched from the agent's URL (`http` or `https` on one of `answer_hosts`, no
    /// redirect followed, refused as soon as it grows past `max_file_bytes`, tried three times, all the
    /// answer's files within `answerFilesTime`). At most `max_files` of them (one note says how many more
    /// there were), `max_turn_bytes` in all; captions cut to `maxCaptionCharacters`. A file that cannot be
    /// had is a note, never a reason to ask the agent again; one the store could not keep is told to
    /// `notKept` for the operator, the chat reading only that it could not be kept.
    /// Cancelled (the worker stops), it returns early: the caller must not complete the turn.
    func keep(_ files: [AnswerFile], notKept: (String) -> Void = { _ in }) async -> [KeptAnswerFile] {
        var kept: [KeptAnswerFile] = []
        var budget = settings.maxTurnBytes
        let deadline = ContinuousClock.now + Self.answerFilesTime
        let captionLimit = AnswerLimit(maximum: Self.maxCaptionCharacters)
        for (index, file) in files.prefix(settings.maxFiles).enumerated() {
            let name = SafeFileName(file.fileName ?? file.urlFileName)?.name ?? "file \(index + 1)"
            let caption = file.caption.map { captionLimit.apply($0).text }
            guard !Task.isCancelled else { return kept }
            do throws(AttachmentFailure) {
                let outbound = try await keep(file, named: name, budget: budget, until: deadline, notKept: notKept)
                budget -= outbound.size
                kept.append(.kept(outbound, caption: caption))
            } catch {
                kept.append(.unsent(name: name, reason: error.reason, caption: caption))
            }
        }
        if files.count > settings.maxFiles {
            let more = files.count - settings.maxFiles
            kept.append(
                .unsent(
                    name: more == 1 ? "1 more file" : "\(more) more files",
                    reason: "an answer sends its first \(settings.maxFiles) files only", caption: nil))
        }
        return kept
    }

    private func keep(
        _ file: AnswerFile, named name: String, budget: Int, until deadline: ContinuousClock.Instant,
        notKept: (String) -> Void
    ) async throws(AttachmentFailure) -> OutboundFile {
        guard let store else {
            throw .unreadable("no attachments directory is configured for this database")
        }
        let limit = min(settings.maxFileBytes, budget)
        let bytes: Data
        switch file.source {
        case .bytes(let data): bytes = data
        case .url(let url): bytes = try await fetchAnswerFile(url, limit: limit, until: deadline)
        }
        guard !bytes.isEmpty else { throw .unreadable("it is empty") }
        guard bytes.count <= limit else { throw .unreadable("\(bytes.count) bytes, over the limit of \(limit)") }
        let digest: String
        do {
            digest = try await store.keep(bytes)
        } catch {
            notKept(error.reason)
            throw .unreadable("it could not be kept")
        }
        let contentType = ContentSniffer.reconcile(
            sniffed: ContentSniffer.contentType(of: bytes), declared: file.contentType)
        return OutboundFile(
            kind: file.kind ?? Self.kind(of: contentType), sha256: digest, fileName: name, contentType: contentType,
            size: bytes.count)
    }

    /// The bytes at an agent's URL, asked for up to `answerFileAttempts` times before `deadline`.
    private func fetchAnswerFile(_ url: String, limit: Int, until deadline: ContinuousClock.Instant)
        async throws(AttachmentFailure) -> Data
    {
        guard let components = URLComponents(string: url), let host = components.host?.lowercased() else {
            throw .unreadable("its URL has no host")
        }
        guard components.user == nil, components.password == nil else {
            throw .unreadable("its URL carries credentials")
        }
        guard settings.answerHosts.contains(host) else {
            throw .unreadable("its URL is not on the agent's host nor on attachments.answer_hosts")
        }
        var attempt = 1
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw .unreadable("not fetched: the answer's time for files ran out") }
            do throws(AttachmentFailure) {
                return try await fetchAnswerFile(url, limit: limit, within: min(left, Self.downloadTimeout))
            } catch .transient where attempt < Self.answerFileAttempts && !Task.isCancelled {
                attempt += 1
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The bytes at an agent's URL, asked for once.
    private func fetchAnswerFile(_ url: String, limit: Int, within timeout: Duration) async throws(AttachmentFailure)
        -> Data
    {
        var request = HTTPRequest(.get, url, connectTimeout: connectTimeout, totalTimeout: timeout)
        request.maxResponseBytes = limit
        request.refusesLargerBodies = true
        let response = try await fetch(request, failing: "fetching it from the agent's URL")
        switch response.status {
        case 200: return response.body
        case 429, 500...: throw .transient("the agent's URL answered HTTP \(response.status)")
        default: throw .unreadable("the agent's URL answered HTTP \(response.status)")
        }
    }

    /// How a file of `contentType` is shown when the agent does not say: the images every provider shows
    /// as pictures, audio and video by their type, anything else as a file.
    static func kind(of contentType: String) -> InboundAttachment.Kind {
        switch contentType.prefix(while: { $0 != "/" && $0 != ";" }) {
        case "image" where ["image/png", "image/jpeg", "image/gif", "image/webp"].contains(contentType): .image
        case "audio": .audio
        case "video": .video
        default: .file
        }
    }
}
