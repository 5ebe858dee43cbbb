import Foundation
import JSON
import Testing

/// Strings cross the parser and the writer byte for byte: escapes where JSON needs them, UTF-8 checked.
@Suite("JSON strings")
struct JSONStringTests {
    @Test(
        "a string is written with the escapes JSON needs and read back the same",
        arguments: [
            ("plain ascii", #""plain ascii""#),
            ("", #""""#),
            ("say \"hi\" \\ bye", #""say \"hi\" \\ bye""#),
            ("line\nbreak\ttab\rreturn", #""line\nbreak\ttab\rreturn""#),
            ("\u{0}\u{1F}x\u{7F}", "\"\\u0000\\u001fx\u{7F}\""),
            ("\"", #""\"""#),
            ("ü and 漢字 and 🎉", "\"ü and 漢字 and 🎉\""),
            ("ends with escape\n", #""ends with escape\n""#),
        ])
    func roundTrip(text: String, written: String) throws {
        let bytes = JSONValue.string(text).serialized
        #expect(String(decoding: bytes, as: UTF8.self) == written)
        #expect(try JSONParser.parse(bytes) == .string(text))
    }

    @Test("bytes that are not UTF-8 in a string are refused, escaped or not")
    func invalidUTF8() {
        for raw: [UInt8] in [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0x61, 0xFF, 0x22], [0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22],
        ] {
            let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Data(raw)) }
            #expect(error?.reason == "string is not valid UTF-8")
        }
    }
}
