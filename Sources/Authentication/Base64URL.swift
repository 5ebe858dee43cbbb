import Foundation

/// Base64url without padding (RFC 7515 §2), as JSON Web Tokens and keys carry their parts.
enum Base64URL {
    /// The bytes `text` encodes; nil when it holds a character outside the base64url alphabet, padding,
    /// or a length no encoding has.
    static func decode(_ text: Substring) -> Data? {
        guard text.utf8.count % 4 != 1,
            text.utf8.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return nil }
        var standard = String(text).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
