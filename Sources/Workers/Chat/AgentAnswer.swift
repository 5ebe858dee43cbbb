import Enqueuer
import Foundation
import JSON

/// What an agent answers a turn with: its text, and the files it sends to the chat after the text.
public struct AgentAnswer: Sendable, Equatable {
    /// The answer's text (`reply`, or a stream's deltas joined).
    public var text: String
    /// The files to send after the text, in order (`attachments`).
    public var files: [AnswerFile]

    public init(text: String, files: [AnswerFile] = []) {
        self.text = text
        self.files = files
    }
}

/// A file an agent's answer sends to the chat (`attachments` in its answer, README.md "The agent
/// protocol"): its bytes or where to fetch them, and how to show it.
public struct AnswerFile: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The bytes, given inline (`data_base64`).
        case bytes(Data)
        /// An `http` or `https` URL the worker fetches the bytes from (`url`).
        case url(String)
    }

    /// Where the bytes come from.
    public var source: Source
    /// The name to send it under (`file_name`), made safe before it is used.
    public var fileName: String?
    /// What the agent says it is (`content_type`); the bytes have the last word where they tell.
    public var contentType: String?
    /// How to show it (`kind`: `image`, `voice`, `audio`, `video`, `file`); nil: from the content type.
    public var kind: InboundAttachment.Kind?
    /// Text sent with it (`caption`), with the file where the provider can, else just before it.
    public var caption: String?

    public init(
        source: Source, fileName: String? = nil, contentType: String? = nil, kind: InboundAttachment.Kind? = nil,
        caption: String? = nil
    ) {
        self.source = source
        self.fileName = fileName
        self.contentType = contentType
        self.kind = kind
        self.caption = caption
    }

    /// The last part of the URL's path, for a file named by URL without a `file_name`.
    var urlFileName: String? {
        guard case .url(let url) = source else { return nil }
        return URLComponents(string: url)?.path.split(separator: "/").last.map(String.init)
    }

    /// Reads one entry of an answer's `attachments`.
    /// - Throws: `JSONFieldError` naming the field: neither or both of `data_base64` and `url`, base64
    ///   that is not, a URL that is not `http` or `https`, a kind that is not one.
    init(json fields: JSONFields) throws(JSONFieldError) {
        switch (try fields.optionalString("data_base64"), try fields.optionalString("url")) {
        case (let encoded?, nil):
            // Line breaks, as MIME writers put them, are allowed; anything else not base64 is refused.
            guard let data = Data(base64Encoded: String(encoded.filter { !$0.isWhitespace })) else {
                throw fields.error("data_base64", "is not base64")
            }
            source = .bytes(data)
        case (nil, let url?):
            let scheme = url.prefix { $0 != ":" }.lowercased()
            guard scheme == "https" || scheme == "http" else {
                throw fields.error("url", "must be an http or https URL")
            }
            source = .url(url)
        default:
            throw fields.error("data_base64", "or url is needed, and only one of them")
        }
        fileName = try fields.optionalString("file_name")
        contentType = try fields.optionalString("content_type")
        caption = try fields.optionalString("caption")
        if let kind = try fields.optionalString("kind") {
            guard let known = InboundAttachment.Kind(rawValue: kind), known != .sticker else {
                throw fields.error("kind", "must be image, voice, audio, video or file")
            }
            self.kind = known
        }
    }

    /// Reads an answer's `attachments` array.
    /// - Throws: `JSONFieldError` naming the entry and its field.
    static func list(_ fields: JSONFields, key: String = "attachments") throws(JSONFieldError) -> [AnswerFile] {
        guard let entries = try fields.optionalArray(key) else { return [] }
        var files: [AnswerFile] = []
        for index in entries.indices {
            files.append(try AnswerFile(json: try fields.element(key, index, of: entries)))
        }
        return files
    }
}
