import Foundation
import JSON

/// Where a command's results and messages go: results to stdout, as text or JSON lines; messages to stderr.
struct Output: Sendable {
    let json: Bool

    /// Prints one result: `text` normally, `object` as one JSON line with `--json`.
    func result(_ text: @autoclosure () -> String, json object: @autoclosure () -> [String: Any]) {
        if json {
            Self.writeLine(Self.jsonLine(object()), to: .standardOutput)
        } else {
            Self.writeLine(text(), to: .standardOutput)
        }
    }

    /// Writes a message for the operator to stderr.
    static func message(_ text: String) {
        writeLine(text, to: .standardError)
    }

    static func jsonLine(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func writeLine(_ line: String, to handle: FileHandle) {
        handle.write(Data((line + "\n").utf8))
    }
}
