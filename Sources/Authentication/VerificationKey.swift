import CCrypto
import Foundation

/// A key a token's signature is checked with, and the one algorithm it checks.
public struct VerificationKey: Sendable {
    enum Material: Sendable {
        case secret(Data)
        case publicKey(PublicKey)
    }

    /// The key's id, which a token names in its header's `kid`; nil for a key that has none.
    public let id: String?
    let material: Material

    /// The key's algorithm: an HMAC secret checks only HS256, a public key only its own.
    public var algorithm: JWTAlgorithm {
        switch material {
        case .secret: .hs256
        case .publicKey(let key): key.algorithm
        }
    }

    /// An HS256 secret. Shorter than the hash's 32 bytes is refused (RFC 7518 §3.2).
    public static func secret(_ secret: Data, id: String? = nil) throws(KeyError) -> VerificationKey {
        guard secret.count >= 32 else { throw KeyError("is shorter than 32 bytes, too short for HS256") }
        return VerificationKey(id: id, material: .secret(secret))
    }

    /// An RS256 or ES256 public key, with the id tokens name it by when it has one.
    public static func publicKey(_ key: PublicKey, id: String? = nil) -> VerificationKey {
        VerificationKey(id: id, material: .publicKey(key))
    }

    /// Whether `signature` signs `message` under this key.
    func verifies(_ signature: Data, of message: Data) -> Bool {
        switch material {
        case .publicKey(let key):
            return key.verifies(signature, of: message)
        case .secret(let secret):
            var mac = [UInt8](repeating: 0, count: 32)
            let made = secret.withUnsafeBytes { key in
                message.withUnsafeBytes { bytes in
                    sb_hmac_sha256(key.baseAddress, key.count, bytes.baseAddress, bytes.count, &mac)
                }
            }
            return made == 1 && signature.count == 32
                && signature.withUnsafeBytes { sb_equal_constant_time($0.baseAddress, mac, 32) == 1 }
        }
    }
}
