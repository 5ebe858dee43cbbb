import Enqueuer
import Foundation
import HTTPClient
import JSON
import Queue
import Synchronization

/// `POST`s the turn as JSON (`turn_id`, `owner`, `conversation`, `message`, `history`, `attachments`) and reads
/// `{"reply": ..., "attachments": [...]}`, or a `text/event-stream` whose events carry JSON: `{"delta": "..."}`
/// appends to the answer, `{"attachments": [...]}` adds files to send after it, `{"done": true}` ends it (a
/// stream that ends without it is a failed attempt). The turn id lets
/// the agent recognise a turn it is asked again after a failure. README.md's "The agent protocol" is
/// the reference an agent is written from.
public struct HTTPAgent: Agent {
    let url: String
    let connectTimeout: Duration
    let timeout: Duration
    let http: HTTPClient
    /// Characters of a streamed answer the chat is shown while it streams: past them, the text is kept
    /// for the final answer but no longer passed on, which would copy it whole at every event.
    let shownCharacters: Int

    /// The largest JSON answer read: a text answer's 1 MiB, and room for the files it may carry inline.
    let maxJSONAnswerBytes: Int

    /// - Parameter inlineFileBytes: the most bytes of files an answer may carry inline (before base64).
    public init(
        url: String, connectTimeout: Duration, timeout: Duration, http: HTTPClient, shownCharacters: Int,
        inlineFileBytes: Int
    ) {
        self.url = url
        maxJSONAnswerBytes = (1 << 20) + inlineFileBytes / 3 * 4 + 4
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.http = http
        self.shownCharacters = shownCharacters
    }

    public func reply(to turn: AgentTurn, progress: AnswerProgress) async throws(AgentError) -> AgentAnswer {
        let body = JSONValue.object(
            JSONObject([
                "turn_id": .integer(turn.turnID),
                "owner": .string(turn.owner),
                "conversation": .string(turn.conversation),
                "message": .string(turn.message),
                "history": .array(
                    turn.history.map { message in
                        .object(JSONObject(["role": .string(message.role.rawValue), "text": .string(message.text)]))
                    }),
                "attachments": .array(turn.attachments.map(Self.json)),
            ])
        ).serialized
        var request = HTTPRequest.json(url, body, headers: [("Accept", "text/event-stream, application/json")])
        request.connectTimeout = connectTimeout
        request.totalTimeout = timeout
        request.maxResponseBytes = maxJSONAnswerBytes
        let stream = StreamedAnswer(
            progress: progress, shownCharacters: shownCharacters, maxFileBytes: maxJSONAnswerBytes - (1 << 20))
        request.onBody = { headers, piece in stream.read(piece, headers: headers) }
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw AgentError(description: "agent unreachable: \(error)", retryable: true)
        }
        guard (200..<300).contains(response.status) else {
            throw AgentError(
                description: "agent answered HTTP \(response.status)",
                retryable: response.status >= 500 || response.status == 429)
        }
        if StreamedAnswer.isStream(response.headers) {
            return try stream.answer()
        }
        guard response.body.count < maxJSONAnswerBytes else {
            throw AgentError(
                description: "agent's JSON answer is \(maxJSONAnswerBytes) bytes or more (stream a longer answer as "
                    + "text/event-stream, or send its files by URL)",
                retryable: true)
        }
        guard case .object(let answer)? = try? JSONParser.parse(response.body),
            case .string(let reply)? = answer["reply"]
        else {
            throw AgentError(description: "agent answer has no \"reply\" string", retryable: true)
        }
        do {
            return AgentAnswer(text: reply, files: try AnswerFile.list(JSONFields(answer)))
        } catch {
            throw AgentError(description: "agent answer's \(error)", retryable: true)
        }
    }
}

extension HTTPAgent {
    /// One file of the turn as the agent reads it (README.md, "The agent protocol").
    static func json(_ attachment: TurnAttachment) -> JSONValue {
        var object = JSONObject(["kind": .string(attachment.kind.rawValue)])
        object.set("file_name", attachment.fileName.map(JSONValue.string))
        object.set("content_type", attachment.contentType.map(JSONValue.string))
        object.set("size", attachment.size.map { .integer(Int64($0)) })
        object.set("sha256", attachment.sha256.map(JSONValue.string))
        object.set("data_base64", attachment.data.map { .string($0.base64EncodedString()) })
        object.set("url", attachment.url.map(JSONValue.string))
        object.set("transcript", attachment.transcript.map(JSONValue.string))
        object.set("note", attachment.note.map(JSONValue.string))
        return .object(object)
    }
}

/// An agent's `text/event-stream` answer, read as it arrives on the HTTP client's thread.
private final class StreamedAnswer: Sendable {
    private struct State {
        var decoder = EventStreamDecoder()
        var text = ""
        /// Characters of `text`, and how many of them the progress was last told.
        var characters = 0
        var passedOn = 0
        var done = false
        var files: [AnswerFile] = []
        /// The bytes of the files given inline so far.
        var fileBytes = 0
        /// What was wrong with the first `attachments` that could not be read: it fails the attempt.
        var filesProblem: String?
        /// The first event that was not an event of this protocol.
        var unreadable: String?
    }

    private let state = Mutex(State())
    private let progress: AnswerProgress
    private let shownCharacters: Int
    private let maxFileBytes: Int

    init(progress: AnswerProgress, shownCharacters: Int, maxFileBytes: Int) {
        self.progress = progress
        self.shownCharacters = shownCharacters
        self.maxFileBytes = maxFileBytes
    }

    static func isStream(_ headers: [String: String]) -> Bool {
        headers["content-type"]?.lowercased().hasPrefix("text/event-stream") == true
    }

    /// Reads one piece of the body: each complete event's delta is appended, and the text so far is
    /// passed on when it grew, until it has passed on more than the chat is shown. Events after `done`
    /// are ignored.
    func read(_ piece: Data, headers: [String: String]) {
        guard Self.isStream(headers) else { return }
        let grown: String? = state.withLock { state in
            var grew = false
            for data in state.decoder.feed(piece) where !state.done {
                guard case .object(let event)? = try? JSONParser.parse(Data(data.utf8)) else {
                    if state.unreadable == nil { state.unreadable = "an event's data is not a JSON object" }
                    continue
                }
                if case .string(let delta)? = event["delta"] {
                    state.text += delta
                    state.characters += delta.count
                    grew = grew || !delta.isEmpty
                }
                do {
                    let files = try AnswerFile.list(JSONFields(event))
                    for file in files {
                        if case .bytes(let data) = file.source { state.fileBytes += data.count }
                    }
                    if state.fileBytes > maxFileBytes {
                        state.filesProblem = state.filesProblem ?? "files given inline pass \(maxFileBytes) bytes"
                        state.files = []
                    } else if state.filesProblem == nil {
                        state.files += files
                    }
                } catch {
                    if state.filesProblem == nil { state.filesProblem = "\(error)" }
                }
                if event["done"] == .bool(true) { state.done = true }
            }
            guard grew, state.passedOn <= shownCharacters else { return nil }
            state.passedOn = state.characters
            return state.text
        }
        if let grown { progress.update(grown) }
    }

    /// The whole answer, once the stream has ended.
    /// - Throws: `AgentError` (retryable) when the stream ended without `{"done": true}`.
    func answer() throws(AgentError) -> AgentAnswer {
        let (text, files, done, unreadable, filesProblem) = state.withLock {
            ($0.text, $0.files, $0.done, $0.unreadable, $0.filesProblem)
        }
        guard done else {
            let cause = unreadable.map { " (\($0))" } ?? ""
            throw AgentError(description: "agent's stream ended without {\"done\": true}\(cause)", retryable: true)
        }
        if let filesProblem {
            throw AgentError(description: "agent's stream's \(filesProblem)", retryable: true)
        }
        return AgentAnswer(text: text, files: files)
    }
}
