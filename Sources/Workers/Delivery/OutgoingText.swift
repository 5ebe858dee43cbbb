import Enqueuer
import JSON

/// The forms in which a provider may echo a message's text back in an error: as sent, JSON-escaped, or
/// JSON-escaped down to ASCII; and each of its longer lines, for an echo of only part of it. Message
/// text never reaches a log line or a job's error.
enum OutgoingText {
    static let placeholder = "[message text]"

    /// Forms shorter than this are left alone: taking every "ok" out of an error would garble it, and
    /// says nothing about the message.
    static let shortest = 8

    /// Every form to take out of a provider's answer, longest first, so a whole echo goes before its parts.
    static func forms(of text: String) -> [String] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let pieces = lines.count > 1 ? [text] + lines : [text]
        let forms = pieces.flatMap { [$0, jsonEscaped($0), asciiEscaped($0)] }
        return Array(Set(forms.filter { $0.count >= shortest })).sorted { $0.count > $1.count }
    }

    /// The text as this project's JSON writer puts it inside a string, without the quotes.
    private static func jsonEscaped(_ text: String) -> String {
        String(decoding: JSONValue.string(text).serialized.dropFirst().dropLast(), as: UTF8.self)
    }

    /// The JSON escaping of writers that keep to ASCII: every non-ASCII UTF-16 unit as `\uXXXX`.
    private static func asciiEscaped(_ text: String) -> String {
        var escaped = ""
        for unit in jsonEscaped(text).utf16 {
            if unit < 0x80 {
                escaped.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            } else {
                escaped += "\\u" + String(unit, radix: 16).leftPadded(to: 4)
            }
        }
        return escaped
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
