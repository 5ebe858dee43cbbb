/// The JSON Web Token signature algorithms Switchboard verifies (RFC 7518 §3.1). `none` and every other
/// name are refused.
public enum JWTAlgorithm: String, Sendable, CaseIterable {
    /// HMAC with SHA-256 under a shared secret.
    case hs256 = "HS256"
    /// RSASSA-PKCS1-v1_5 with SHA-256, under an RSA public key of at least 2048 bits.
    case rs256 = "RS256"
    /// ECDSA on P-256 with SHA-256.
    case es256 = "ES256"
}
