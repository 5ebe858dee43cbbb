/// How much of an agent's answer a chat is sent: its first `maximum` characters, then a line saying how
/// many more there were. Without it, an answer of megabytes becomes a thousand messages in one chat.
struct AnswerLimit: Sendable {
    /// Characters sent of an answer unless configured (`max_answer_characters`): four Telegram messages.
    static let defaultMaximum = 16_000

    /// Characters (as the chat shows them: an emoji with its modifiers is one).
    let maximum: Int

    /// The answer as the chat gets it: whole within the limit, else its first `maximum` characters and the
    /// marker; with how many characters were left out (0 when none).
    func apply(_ answer: String) -> (text: String, omitted: Int) {
        guard let end = answer.index(answer.startIndex, offsetBy: maximum, limitedBy: answer.endIndex),
            end < answer.endIndex
        else { return (answer, 0) }
        let omitted = answer[end...].count
        return (answer[..<end] + Self.marker(omitted), omitted)
    }

    /// What a chat shows of an answer still streaming: its first `maximum` characters at most. The marker
    /// comes with the final text, once it is known how much was left out.
    func streaming(_ text: String) -> String {
        guard let end = text.index(text.startIndex, offsetBy: maximum, limitedBy: text.endIndex) else { return text }
        return String(text[..<end])
    }

    /// The line that ends a cut answer.
    static func marker(_ omitted: Int) -> String {
        "\n… [answer cut: \(omitted) characters more]"
    }
}
