/// Why a bearer token was refused. The description names the reason without quoting the token.
public enum TokenRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a compact JWT this verifier can read.
    case malformed(String)
    /// Its header names `none`, or an algorithm not verified here.
    case algorithm(String)
    /// No configured key checks it: none with its `kid`, or none of its algorithm.
    case noKey(String)
    /// The key set URL could not be fetched, and no key in hand checks it: not the token's fault.
    case keysUnavailable
    /// The signature does not verify.
    case signature
    /// `exp` has passed (beyond the leeway), or is missing.
    case expired
    /// `nbf` is still ahead (beyond the leeway).
    case notYetValid
    /// A claim is missing or not the configured one (`iss`, `aud`, the account claim).
    case claim(String)

    /// Whether the token's signature verified before it was refused (for its times or claims): whoever
    /// sent it holds a token the key signed, so it was no guess.
    public var signatureVerified: Bool {
        switch self {
        case .expired, .notYetValid, .claim: true
        case .malformed, .algorithm, .noKey, .keysUnavailable, .signature: false
        }
    }

    public var description: String {
        switch self {
        case .malformed(let reason): "the token is malformed: \(reason)"
        case .algorithm(let name): "the token's algorithm \(name) is not accepted (HS256, RS256 or ES256)"
        case .noKey(let reason): "no key checks the token: \(reason)"
        case .keysUnavailable: "the identity provider's keys cannot be fetched now; retry"
        case .signature: "the token's signature does not verify"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not valid yet"
        case .claim(let reason): "the token's claims are refused: \(reason)"
        }
    }
}
