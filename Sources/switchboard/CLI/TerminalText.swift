/// Text made safe for a terminal: every control character written as an escape (`\u{1B}`), so a value
/// from the database (a stored error, a queue or kind name, a payload) can neither send the terminal an
/// escape sequence (a stored `ESC[31m` recoloured the screen) nor break a table's lines.
///
/// `Output` passes every text result and message through it, and `TextTable` every cell; JSON output
/// needs nothing, as the JSON writer escapes control characters itself.
enum TerminalText {
    /// `text` with its control characters escaped; with `keepingLines`, line feeds and tabs stay, for
    /// text laid out in lines (an error history), but not for a table's cell.
    static func escaped(_ text: String, keepingLines: Bool = true) -> String {
        func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.generalCategory == .control && !(keepingLines && (scalar == "\n" || scalar == "\t"))
        }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                escaped.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}
