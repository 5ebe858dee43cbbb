import CCrypto
import Foundation

/// The digests, MACs and cipher the providers' webhook checks use, through libcrypto.
package enum WebhookCrypto {
    package static func hmacSHA256(key: Data, _ message: Data) -> Data {
        var mac = [UInt8](repeating: 0, count: 32)
        let ok = key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                sb_hmac_sha256(key.baseAddress, key.count, message.baseAddress, message.count, &mac)
            }
        }
        return ok == 1 ? Data(mac) : Data()
    }

    package static func sha256(_ message: Data) -> Data {
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = message.withUnsafeBytes { sb_sha256($0.baseAddress, $0.count, &digest) }
        return ok == 1 ? Data(digest) : Data()
    }

    package static func sha1(_ message: Data) -> Data {
        var digest = [UInt8](repeating: 0, count: 20)
        let ok = message.withUnsafeBytes { sb_sha1($0.baseAddress, $0.count, &digest) }
        return ok == 1 ? Data(digest) : Data()
    }

    /// AES-256-CBC decryption with the padding left in place; nil when the input is not whole blocks, or
    /// is longer than libcrypto's `int` length can say (the conversion would trap).
    package static func decryptAES256CBC(key: Data, iv: Data, _ cipher: Data) -> Data? {
        guard key.count == 32, iv.count == 16, !cipher.isEmpty, cipher.count % 16 == 0,
            cipher.count <= Int(Int32.max) - 16
        else { return nil }
        var plain = [UInt8](repeating: 0, count: cipher.count + 16)
        let written = key.withUnsafeBytes { key in
            iv.withUnsafeBytes { iv in
                cipher.withUnsafeBytes { cipher in
                    sb_aes256_cbc_decrypt(
                        key.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        iv.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        cipher.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(cipher.count), &plain)
                }
            }
        }
        return written < 0 ? nil : Data(plain.prefix(Int(written)))
    }

    /// AES-128-ECB decryption with PKCS#7 padding removed (WeChat's media); nil when the input is not
    /// whole blocks, the key is not 16 bytes, or the padding is malformed.
    package static func decryptAES128ECB(key: Data, _ cipher: Data) -> Data? {
        guard !cipher.isEmpty, cipher.count % 16 == 0 else { return nil }
        return aes128ECB(key: key, cipher, encrypting: false)
    }

    /// AES-128-ECB encryption with PKCS#7 padding (WeChat's media, as its CDN takes them); nil when the key
    /// is not 16 bytes or the input is longer than libcrypto's `int` length can say.
    package static func encryptAES128ECB(key: Data, _ plain: Data) -> Data? {
        aes128ECB(key: key, plain, encrypting: true)
    }

    /// `input` through AES-128-ECB with PKCS#7 padding, one way or the other; nil when the key is not 16
    /// bytes, the input is longer than libcrypto's `int` length can say, or libcrypto refuses it.
    private static func aes128ECB(key: Data, _ input: Data, encrypting: Bool) -> Data? {
        guard key.count == 16, input.count <= Int(Int32.max) - 16 else { return nil }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        let written = key.withUnsafeBytes { key in
            input.withUnsafeBytes { input in
                sb_aes128_ecb(
                    key.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    input.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(input.count), &output,
                    encrypting ? 1 : 0)
            }
        }
        return written < 0 ? nil : Data(output.prefix(Int(written)))
    }

    /// MD5, for the providers that name a file by it (WeChat's CDN); never a security check.
    package static func md5(_ message: Data) -> Data {
        var digest = [UInt8](repeating: 0, count: 16)
        let ok = message.withUnsafeBytes { sb_md5($0.baseAddress, $0.count, &digest) }
        return ok == 1 ? Data(digest) : Data()
    }

    /// `data` without its PKCS#7 padding to `blockSize`; nil when the padding is malformed.
    package static func unpadded(_ data: Data, blockSize: Int) -> Data? {
        guard let last = data.last, last >= 1, Int(last) <= blockSize, Int(last) <= data.count,
            data.suffix(Int(last)).allSatisfy({ $0 == last })
        else { return nil }
        return data.dropLast(Int(last))
    }

    /// Whether two secrets are equal, compared in time that does not depend on where they differ.
    package static func equal(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in sb_equal_constant_time(a.baseAddress, b.baseAddress, a.count) == 1 }
        }
    }

    /// The bytes `text` spells in hex digits (either case); nil for an odd count or another character.
    package static func bytes(hex text: String) -> Data? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes = Data(capacity: digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// Lower-case hex digits, two per byte.
    package static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(data.count * 2)
        for byte in data {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
