import Foundation
import JSON

/// Where a command's results and messages go: results to stdout, as text or JSON lines; messages to stderr.
struct Output: Sendable {
    let json: Bool

    /// Prints one result: `text` normally (its control characters escaped, `TerminalText`), `object` as
    /// one JSON line with `--json`.
    func result(_ text: @autoclosure () -> String, json object: @autoclosure () -> JSONObject) {
        if json {
            Self.writeLine(Self.jsonLine(object()), to: .standardOutput)
        } else {
            Self.writeLine(TerminalText.escaped(text()), to: .standardOutput)
        }
    }

    /// Writes a message for the operator to stderr, its control characters escaped.
    static func message(_ text: String) {
        writeLine(TerminalText.escaped(text), to: .standardError)
    }

    /// Tells the operator something on stderr that is not an error (a warning, a file created): a line
    /// starting `switchboard: `, or with `--json` one object `{"notice": CODE, "message": ...}`.
    func notice(_ message: String, code: String) {
        Self.message(json ? Self.jsonLine(["notice": code, "message": message]) : "switchboard: \(message)")
    }

    /// One JSON line, written with the project's own writer.
    static func jsonLine(_ object: JSONObject) -> String {
        String(decoding: JSONValue.object(object).serialized, as: UTF8.self)
    }

    static func writeLine(_ line: String, to handle: FileHandle) {
        handle.write(Data((line + "\n").utf8))
    }
}
