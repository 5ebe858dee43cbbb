import Enqueuer
import Foundation
import HTTPClient

/// A file of an agent's answer, kept and ready for a delivery job to send, or why it will not be sent.
enum KeptAnswerFile: Sendable, Equatable {
    case kept(OutboundFile, caption: String?)
    case unsent(name: String, reason: String, caption: String?)
}

extension AttachmentFetcher {
    /// Keeps the files of an agent's answer in the store, in order, for delivery jobs to send: the bytes
    /// given inline, or fetched from the agent's URL (`http` or `https` on one of `answer_hosts`, no
    /// redirect followed, refused as soon as it grows past `max_file_bytes`, tried three times). At most
    /// `max_files` of them, `max_turn_bytes` in all. A file that cannot be had is a note, never a reason
    /// to ask the agent again.
    /// - Parameter lastAttempt: failures that may pass become notes instead of a reason to try again.
    /// - Throws: `AttachmentFailure.transient` when a file could not be had for a reason that may pass,
    ///   unless `lastAttempt`.
    func keep(_ files: [AnswerFile]) async -> [KeptAnswerFile] {
        var kept: [KeptAnswerFile] = []
        var budget = settings.maxTurnBytes
        for (index, file) in files.enumerated() {
            let name = SafeFileName(file.fileName)?.name ?? "file \(index + 1)"
            guard index < settings.maxFiles else {
                kept.append(
                    .unsent(
                        name: name, reason: "an answer sends its first \(settings.maxFiles) files only",
                        caption: file.caption))
                continue
            }
            do throws(AttachmentFailure) {
                let outbound = try await keep(file, named: name, budget: budget)
                budget -= outbound.size
                kept.append(.kept(outbound, caption: file.caption))
            } catch {
                kept.append(.unsent(name: name, reason: error.reason, caption: file.caption))
            }
        }
        return kept
    }

    private func keep(_ file: AnswerFile, named name: String, budget: Int) async throws(AttachmentFailure)
        -> OutboundFile
    {
        guard let store else {
            throw .unreadable("no attachments directory is configured for this database")
        }
        let limit = min(settings.maxFileBytes, budget)
        let bytes: Data
        switch file.source {
        case .bytes(let data): bytes = data
        case .url(let url): bytes = try await fetchAnswerFile(url, limit: limit, attempts: Self.answerFileAttempts)
        }
        guard !bytes.isEmpty else { throw .unreadable("it is empty") }
        guard bytes.count <= limit else { throw .unreadable("\(bytes.count) bytes, over the limit of \(limit)") }
        let digest = try await store.keep(bytes)
        let contentType = ContentSniffer.reconcile(
            sniffed: ContentSniffer.contentType(of: bytes), declared: file.contentType)
        return OutboundFile(
            kind: file.kind ?? Self.kind(of: contentType), sha256: digest, fileName: name, contentType: contentType,
            size: bytes.count)
    }

    /// How many times a file at the agent's URL is asked for when it fails for a reason that may pass, a
    /// second apart: a turn is not tried again for it (that would ask the agent again).
    static let answerFileAttempts = 3

    /// The bytes at an agent's URL, asked for up to `attempts` times.
    private func fetchAnswerFile(_ url: String, limit: Int, attempts: Int) async throws(AttachmentFailure) -> Data {
        guard let components = URLComponents(string: url), let host = components.host?.lowercased(),
            components.user == nil, components.password == nil,
            settings.answerHosts.contains(host)
        else {
            throw .unreadable("its URL is not on the agent's host nor on attachments.answer_hosts")
        }
        var attempt = 1
        while true {
            do throws(AttachmentFailure) {
                return try await fetchAnswerFile(url, limit: limit)
            } catch .transient where attempt < attempts {
                attempt += 1
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The bytes at an agent's URL, asked for once.
    private func fetchAnswerFile(_ url: String, limit: Int) async throws(AttachmentFailure) -> Data {
        var request = HTTPRequest(.get, url, connectTimeout: connectTimeout, totalTimeout: Self.downloadTimeout)
        request.maxResponseBytes = limit
        request.refusesLargerBodies = true
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error where error.code == .tooLarge {
            throw .unreadable("refused while downloading: larger than \(limit) bytes")
        } catch {
            throw .transient("fetching it from the agent's URL: \(error.code)")
        }
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
