import Foundation
import JSON
import Testing

/// A syntax error says where it is as a person looks for it: the line, and the column in characters.
@Suite("JSON syntax errors")
struct JSONSyntaxErrorTests {
    @Test(
        "an error names its line and column, counted in characters, from 1",
        arguments: [
            ("{\"a\": 1,}", 1, 9, "expected a member name in quotes"),
            ("{\n  \"a\": 1,\n  \"b\": ]\n}", 3, 8, "unexpected character"),
            ("{\"é\": \"ü\", \"x\": nul}", 1, 17, "unexpected character"),
            ("[1, 2\r\n", 2, 1, "unexpected end of input in an array"),
            ("", 1, 1, "unexpected end of input"),
            ("{}\n\n  x", 3, 3, "unexpected data after the value"),
        ])
    func located(text: String, line: Int, column: Int, reason: String) {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Data(text.utf8)) }
        #expect(error?.line == line, "\(text.debugDescription): \(error.map(String.init(describing:)) ?? "")")
        #expect(error?.column == column, "\(text.debugDescription): \(error.map(String.init(describing:)) ?? "")")
        #expect(error?.reason == reason)
        #expect(error?.description == "invalid JSON at line \(line), column \(column): \(reason)")
    }
}
