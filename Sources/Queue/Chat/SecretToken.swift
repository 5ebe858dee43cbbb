import CCrypto
import Foundation
import Queue

/// One-time secrets (connect codes, link tokens): drawn from the system CSPRNG, shown to a person once,
/// and stored only as their SHA-256 digest.
public enum SecretToken {
    /// The shape every code and token must have before it is looked up: URL-safe base64, 1 to 64 characters.
    public static func isWellFormed(_ token: String) -> Bool {
        let bytes = token.utf8
        return (1...64).contains(bytes.count)
            && bytes.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "_")
            }
    }

    /// `byteCount` random bytes from the system CSPRNG (`getrandom` on Linux), as unpadded URL-safe base64.
    ///
    /// A token that would start with `-` is drawn again: on a command line (`link status TOKEN`) it would
    /// read as an option. That costs less than a fiftieth of a bit of the 128 or 256.
    static func generate(byteCount: Int) -> String {
        while true {
            let token = base64URL(randomBytes(byteCount))
            if !token.hasPrefix("-") {
                return token
            }
        }
    }

    /// `count` random bytes from the system CSPRNG.
    package static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static let base64URLAlphabet = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Unpadded URL-safe base64 (RFC 4648 section 5).
    public static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index < input.count {
            let chunk = input[index..<min(index + 3, input.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0...chunk.count {
                output.append(base64URLAlphabet[Int(value >> (18 - 6 * UInt32(position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The SHA-256 digest of the token's UTF-8 bytes: what the database keeps.
    ///
    /// The tokens carry 128 or 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    /// - Throws: `QueueError.internal` if libcrypto cannot compute SHA-256 (a broken OpenSSL configuration).
    public static func digest(_ token: String) throws -> Data {
        var digest = [UInt8](repeating: 0, count: 32)
        let utf8 = Array(token.utf8)
        let succeeded = utf8.withUnsafeBytes { bytes in sb_sha256(bytes.baseAddress, bytes.count, &digest) }
        guard succeeded == 1 else {
            throw QueueError(.internal, "libcrypto could not compute SHA-256; check the OpenSSL configuration")
        }
        return Data(digest)
    }
}
