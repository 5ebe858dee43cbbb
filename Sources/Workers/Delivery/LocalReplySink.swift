import Enqueuer
import Foundation
import JSON
import Synchronization

/// The `local` provider: replies are written as JSON lines to stdout or a file, for running without
/// provider tokens. Every send succeeds. A message's line carries its `message_id`; an edit's line
/// carries the id of the message it replaces in `edit`, and the whole new text; a file's message carries
/// `file` (kind, name, content type, size and the SHA-256 it is kept under), its caption as `text`.
public final class LocalReplySink: ProviderClient {
    private let descriptor: Int32
    private let lock = Mutex(())

    /// - Parameter path: a file to append to, or nil for stdout.
    public init(path: String?) throws {
        if let path {
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw ConfigurationError(
                    .unreadable, "cannot open \(path) for replies: \(String(cString: strerror(errno)))")
            }
        } else {
            descriptor = STDOUT_FILENO
        }
    }

    deinit {
        if descriptor != STDOUT_FILENO {
            close(descriptor)
        }
    }

    public var edits: Bool { true }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let id = message.replacing ?? "local-\(message.turnID)-\(message.part)"
        var line = JSONObject([
            "provider": .string(message.provider.rawValue), "chat": .string(message.target.chat),
            "turn_id": .integer(message.turnID), "part": .integer(Int64(message.part)),
            "parts": .integer(Int64(message.parts)), "text": .string(message.text),
        ])
        line.set("thread", message.target.thread.map(JSONValue.string))
        // A file of an answer: what it is and where it is kept (its bytes stay in the attachments store).
        line.set(
            "file",
            message.file.map { file in
                .object(
                    JSONObject([
                        "kind": .string(file.kind.rawValue), "file_name": .string(file.fileName),
                        "content_type": .string(file.contentType), "size": .integer(Int64(file.size)),
                        "sha256": .string(file.sha256),
                    ]))
            })
        line.set(message.replacing == nil ? "message_id" : "edit", .string(id))
        let bytes = [UInt8](JSONValue.object(line).serialized) + [UInt8(ascii: "\n")]
        // One write per line with O_APPEND: lines from several worker processes never interleave.
        let written = lock.withLock { _ in bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }
        return written == bytes.count
            ? .delivered(messageID: id) : .retry("local replies: write failed: \(String(cString: strerror(errno)))")
    }
}
