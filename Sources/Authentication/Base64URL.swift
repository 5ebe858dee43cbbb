import Foundation

/// Base64url without padding (RFC 7515 §2), as JSON Web Tokens and keys carry their parts.
enum Base64URL {
    /// The bytes `text` encodes; nil when it holds a character outside the base64url alphabet, padding,
    /// a length no encoding has, or bits set past its last byte.
    static func decode(_ text: Substring) -> Data? {
        guard text.utf8.count % 4 != 1, text.utf8.allSatisfy({ sextet($0) != nil }) else { return nil }
        // The last character's bits past the final byte must be zero: else four texts would stand for one
        // signature, and a token's text would not be the one form of what it carries.
        if let last = text.utf8.last, let value = sextet(last) {
            let unused: [UInt8] = [0, 0, 15, 3]
            guard value & unused[text.utf8.count % 4] == 0 else { return nil }
        }
        var standard = String(text).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard)
    }

    /// The six bits a base64url character stands for.
    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
