import Foundation
import HTTPServer
import Testing

/// The dashboard's form reader: what browsers send is read, what they never send is refused, and no body
/// can make it trap.
@Suite("Reading an application/x-www-form-urlencoded body")
struct URLEncodedFormTests {
    @Test(
        "fields are percent- and plus-decoded; empty pairs are skipped; a name without = has an empty value",
        arguments: [
            ("token=abc&csrf=0f", ["token": "abc", "csrf": "0f"]),
            ("queue=a+b%2Bc%26d%3De", ["queue": "a b+c&d=e"]),
            ("kind=%C3%A9t%C3%A9+%E2%9C%93", ["kind": "été ✓"]),
            ("a=1&&b=2&", ["a": "1", "b": "2"]),
            ("&&&", [:]),
            ("", [:]),
            ("flag&x=", ["flag": "", "x": ""]),
            ("a=b=c", ["a": "b=c"]),
            ("%61=%62", ["a": "b"]),
            // What the issue's crashing bodies come to: fields a form of ours would not read, but fields.
            ("\"", ["\"": ""]),
            ("token={x}", ["token": "{x}"]),
            (#"{"token":"x"}"#, [#"{"token":"x"}"#: ""]),
            ("id=8 ", ["id": "8 "]),
        ])
    func reads(body: String, fields: [String: String]) throws {
        #expect(try URLEncodedForm(Data(body.utf8)).fields == fields)
    }

    @Test(
        "a bad escape, bytes that are not UTF-8, an empty name or a repeated name is refused, naming the field",
        arguments: [
            ("a=%", URLEncodedFormError(.invalidEscape, field: 1)),
            ("a=1&b=%4", URLEncodedFormError(.invalidEscape, field: 2)),
            ("a=%zz", URLEncodedFormError(.invalidEscape, field: 1)),
            ("a=%+1", URLEncodedFormError(.invalidEscape, field: 1)),
            ("%g0=1", URLEncodedFormError(.invalidEscape, field: 1)),
            ("a=%FF", URLEncodedFormError(.notUTF8, field: 1)),
            ("a=%C3", URLEncodedFormError(.notUTF8, field: 1)),
            ("a=%ED%A0%80", URLEncodedFormError(.notUTF8, field: 1)),
            ("x=1&=v", URLEncodedFormError(.emptyName, field: 2)),
            ("id=1&csrf=a&&id=2", URLEncodedFormError(.repeatedName(firstField: 1), field: 3)),
        ])
    func refuses(body: String, error: URLEncodedFormError) {
        #expect(throws: error) { try URLEncodedForm(Data(body.utf8)) }
        #expect(!error.description.contains(body), "the message does not quote the body")
    }

    @Test("a raw byte that is not UTF-8 is refused like an escaped one")
    func rawBytes() {
        #expect(throws: URLEncodedFormError(.notUTF8, field: 1)) { try URLEncodedForm([0x61, 0x3d, 0xc3, 0x28]) }
    }

    @Test("no body of up to three bytes, nor thousands of random ones, makes it trap")
    func total() {
        let alphabet: [UInt8] = Array("%+=&aZ09{}\" ".utf8) + [0x00, 0x80, 0xc3, 0xff]
        var read = 0
        for a in alphabet {
            for b in alphabet {
                for c in alphabet where (try? URLEncodedForm([a, b, c])) != nil {
                    read += 1
                }
            }
        }
        #expect(read > 0)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }
            _ = try? URLEncodedForm(bytes)
        }
    }
}
