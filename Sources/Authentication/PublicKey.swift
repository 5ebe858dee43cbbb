import CCrypto
import Foundation

/// A public key that verifies RS256 or ES256 signatures: the one owner of an `EVP_PKEY`, freed with it.
///
/// Only verification uses the key once it is made, which OpenSSL allows from many threads at once.
public final class PublicKey: @unchecked Sendable {
    private let handle: OpaquePointer
    /// The one algorithm the key verifies: an RSA key never checks an ES256 signature, nor an HMAC.
    public let algorithm: JWTAlgorithm

    private init(_ handle: OpaquePointer) throws(KeyError) {
        switch sb_public_key_kind(handle) {
        case 1: algorithm = .rs256
        case 2: algorithm = .es256
        default:
            EVP_PKEY_free(handle)
            throw KeyError("is neither an RSA key of at least 2048 bits nor a P-256 key")
        }
        self.handle = handle
    }

    deinit {
        EVP_PKEY_free(handle)
    }

    /// The key of a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo).
    /// - Throws: `KeyError` when the text holds none, or one of a kind or size not accepted.
    public convenience init(pem: String) throws(KeyError) {
        var text = pem
        guard
            let key = text.withUTF8({ bytes in
                bytes.withMemoryRebound(to: CChar.self) { sb_public_key_from_pem($0.baseAddress, $0.count) }
            })
        else { throw KeyError("holds no PEM public key (BEGIN PUBLIC KEY)") }
        try self.init(key)
    }

    /// An RSA key from its modulus and exponent, unsigned big-endian.
    convenience init(rsaModulus modulus: Data, exponent: Data) throws(KeyError) {
        let key = modulus.withUnsafeBytes { n in
            exponent.withUnsafeBytes { e in
                sb_rsa_public_key(
                    n.bindMemory(to: UInt8.self).baseAddress, n.count, e.bindMemory(to: UInt8.self).baseAddress,
                    e.count)
            }
        }
        guard let key else { throw KeyError("is not an RSA public key (n, e)") }
        try self.init(key)
    }

    /// A P-256 key from its point's coordinates, 32 bytes each.
    convenience init(p256X x: Data, y: Data) throws(KeyError) {
        guard x.count == 32, y.count == 32 else { throw KeyError("has P-256 coordinates that are not 32 bytes each") }
        let key = x.withUnsafeBytes { x in
            y.withUnsafeBytes { y in
                sb_p256_public_key(x.bindMemory(to: UInt8.self).baseAddress, y.bindMemory(to: UInt8.self).baseAddress)
            }
        }
        guard let key else { throw KeyError("is not a point on P-256") }
        try self.init(key)
    }

    /// Whether `signature` is this key's signature of `message` under its algorithm; an ES256 signature is
    /// the JWS form, r then s.
    func verifies(_ signature: Data, of message: Data) -> Bool {
        var signature = signature
        if algorithm == .es256 {
            guard signature.count == 64 else { return false }
            var der = [UInt8](repeating: 0, count: 80)
            let length = signature.withUnsafeBytes {
                sb_ecdsa_p256_der($0.bindMemory(to: UInt8.self).baseAddress, &der)
            }
            guard length > 0 else { return false }
            signature = Data(der[..<Int(length)])
        }
        return message.withUnsafeBytes { message in
            signature.withUnsafeBytes { signature in
                sb_verify_sha256(
                    handle, message.baseAddress, message.count, signature.bindMemory(to: UInt8.self).baseAddress,
                    signature.count) == 1
            }
        }
    }
}
