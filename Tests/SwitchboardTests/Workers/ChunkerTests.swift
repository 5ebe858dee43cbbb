import Enqueuer
import Testing
import Workers

@Suite("Chunking replies to each provider's limit")
struct ChunkerTests {
    @Test(
        "every chunk fits the provider's limit in its own unit, and the chunks rejoin to the reply",
        arguments: Provider.allCases
    )
    func fitsAndRejoins(provider: Provider) {
        let limit = TextLimit.of(provider)
        let pieces = ["plain ascii words ", "naïve café ", "日本語のテキスト ", "👩‍👩‍👧‍👦 family ", "🇺🇳 flag ", "e\u{301} accent\n"]
        var text = ""
        var index = 0
        while text.utf8.count < limit.maximum * 5 {
            text += pieces[index % pieces.count]
            index += 1
        }
        let chunks = Chunker.chunks(text, limit: limit)
        #expect(chunks.count > 1)
        #expect(chunks.joined() == text, "nothing lost, nothing reordered")
        for chunk in chunks {
            let length =
                switch limit.unit {
                case .utf16: chunk.utf16.count
                case .scalars: chunk.unicodeScalars.count
                case .bytes: chunk.utf8.count
                }
            #expect(length <= limit.maximum)
            #expect(!chunk.isEmpty)
        }
    }

    @Test(
        "the documented limits",
        arguments: [
            (Provider.telegram, 4096, TextLimit.Unit.utf16), (.discord, 2000, .utf16), (.slack, 4000, .scalars),
            (.wecom, 2048, .bytes), (.dingtalk, 15_000, .bytes), (.feishu, 150_000, .bytes),
        ]
    )
    func limits(provider: Provider, maximum: Int, unit: TextLimit.Unit) {
        #expect(TextLimit.of(provider) == TextLimit(maximum: maximum, unit: unit))
    }

    @Test("a family emoji is never split, even where it straddles the limit")
    func graphemesStayWhole() {
        let family = "👩‍👩‍👧‍👦" // 11 UTF-16 units, 25 UTF-8 bytes, one character
        let limit = TextLimit(maximum: 30, unit: .utf16)
        let chunks = Chunker.chunks(String(repeating: "a", count: 25) + family + "bc", limit: limit)
        #expect(chunks == [String(repeating: "a", count: 25), family + "bc"])
    }

    @Test("WeCom's limit is bytes: 2048 bytes of three-byte characters is 682 characters a chunk")
    func byteLimit() {
        let chunks = Chunker.chunks(String(repeating: "字", count: 1500), limit: .of(.wecom))
        #expect(chunks.map(\.count) == [682, 682, 136])
    }

    @Test("a chunk ends at a line break or space near the limit when there is one")
    func prefersBreaks() {
        let text = String(repeating: "word ", count: 900) // 4500 characters
        let chunks = Chunker.chunks(text, limit: .of(.slack))
        #expect(chunks.count == 2)
        #expect(chunks[0].hasSuffix(" "))
        #expect(!chunks[1].hasPrefix(" "))
    }

    @Test("an empty reply sends nothing; a short one is one chunk")
    func shortReplies() {
        #expect(Chunker.chunks("", limit: .of(.telegram)).isEmpty)
        #expect(Chunker.chunks("hi 👋", limit: .of(.telegram)) == ["hi 👋"])
    }
}
