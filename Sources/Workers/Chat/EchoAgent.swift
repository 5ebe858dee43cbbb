import Enqueuer
import Foundation
import Queue

/// Answers with the message itself.
public struct EchoAgent: Agent {
    public init() {}

    public func reply(to turn: AgentTurn, progress: AnswerProgress) async throws(AgentError) -> AgentAnswer {
        AgentAnswer(text: "echo: " + turn.message + Self.attachmentLines(turn.attachments))
    }

    /// A line per file the turn carried: what it is and whether its bytes came.
    static func attachmentLines(_ attachments: [TurnAttachment]) -> String {
        attachments.map { attachment in
            let what = [attachment.kind.rawValue, attachment.fileName, attachment.contentType]
                .compactMap { $0 }.joined(separator: " ")
            let fetched = attachment.size.map { "\($0) bytes" } ?? (attachment.note ?? "not fetched")
            return "\n[\(what): \(fetched)]"
        }.joined()
    }
}

/// Answers with the message itself, streamed a word at a time with a pause before each: for trying
/// live replies (and measuring them) without an agent.
public struct EchoStreamAgent: Agent {
    /// The pause before each word.
    let pause: Duration

    public init(pause: Duration = .milliseconds(150)) {
        self.pause = pause
    }

    public func reply(to turn: AgentTurn, progress: AnswerProgress) async throws(AgentError) -> AgentAnswer {
        var text = ""
        for word in Self.words("echo: " + turn.message + EchoAgent.attachmentLines(turn.attachments)) {
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw AgentError(description: "echo-stream: cancelled", retryable: true)
            }
            text += word
            progress.update(text)
        }
        return AgentAnswer(text: text)
    }

    /// The text cut before each run of spaces, as a language model streams it (each piece after the
    /// first starts with the space before its word), so the pieces joined are the text again.
    static func words(_ text: String) -> [Substring] {
        var words: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if index > text.startIndex && text[index].isWhitespace && !text[text.index(before: index)].isWhitespace {
                words.append(text[start..<index])
                start = index
            }
            index = next
        }
        if start < text.endIndex { words.append(text[start...]) }
        return words
    }
}
