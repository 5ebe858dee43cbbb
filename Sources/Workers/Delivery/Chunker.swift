import Enqueuer

/// Splits a reply into messages a provider accepts, in order, never inside a character (a grapheme:
/// an emoji with its modifiers, a letter with its accents), and at a line break or space near the end
/// of a chunk when there is one.
public enum Chunker {
    public static func chunks(_ text: String, limit: TextLimit) -> [String] {
        guard !text.isEmpty else { return [] }
        var chunks: [String] = []
        var current: [Character] = []
        var length = 0
        for character in text {
            let size = limit.length(of: character)
            if length + size > limit.maximum, !current.isEmpty {
                let cut = breakPoint(in: current, limit: limit)
                chunks.append(String(current[..<cut]))
                current.removeFirst(cut)
                length = current.reduce(0) { $0 + limit.length(of: $1) }
            }
            current.append(character)
            length += size
        }
        if !current.isEmpty {
            chunks.append(String(current))
        }
        return chunks
    }

    /// Where to end a full chunk: after the last line break or space in its final fifth, else at its end.
    private static func breakPoint(in characters: [Character], limit: TextLimit) -> Int {
        let searchFrom = characters.count - max(1, characters.count / 5)
        if let newline = characters[searchFrom...].lastIndex(where: \.isNewline) { return newline + 1 }
        if let space = characters[searchFrom...].lastIndex(where: \.isWhitespace) { return space + 1 }
        return characters.count
    }
}
