import Foundation

/// Reads a `text/event-stream` body as it arrives, in pieces cut anywhere: the data of each event, the
/// lines of its `data:` fields joined by line feeds, once the blank line that ends the event has come.
/// Comments and other fields are skipped, as the server-sent events format says a client does.
package struct EventStreamDecoder {
    private var line: [UInt8] = []
    private var dataLines: [String] = []
    private var hasData = false
    /// The last piece ended with a carriage return: a line feed starting the next one belongs to it.
    private var afterCarriageReturn = false

    package init() {}

    /// The data of every event the piece completes, in order.
    package mutating func feed(_ piece: Data) -> [String] {
        var events: [String] = []
        for byte in piece {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                afterCarriageReturn = byte == UInt8(ascii: "\r")
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the current line: a blank line dispatches the event gathered so far.
    private mutating func endLine() -> String? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer {
                dataLines.removeAll()
                hasData = false
            }
            return hasData ? dataLines.joined(separator: "\n") : nil
        }
        let text = String(decoding: line, as: UTF8.self)
        guard !text.hasPrefix(":") else { return nil }
        let colon = text.firstIndex(of: ":")
        let field = colon.map { text[..<$0] } ?? Substring(text)
        guard field == "data" else { return nil }
        var value = colon.map { text[text.index(after: $0)...] } ?? ""
        if value.hasPrefix(" ") { value = value.dropFirst() }
        dataLines.append(String(value))
        hasData = true
        return nil
    }
}
