import Foundation
import JSON

/// Checks users' bearer tokens (JWTs signed by the application or its identity provider) and names the
/// account each acts for.
///
/// A token is checked only with a key of the algorithm its header names, and a key checks only its own
/// algorithm: an RSA public key is never an HMAC secret, and `none` is never accepted. With a `kid`, only
/// the key of that id is tried; without one, every key of the token's algorithm.
public struct TokenVerifier: Sendable {
    let keys: JWTKeys
    public let rules: TokenRules

    public init(keys: JWTKeys, rules: TokenRules) {
        self.keys = keys
        self.rules = rules
    }

    /// The account `token` acts for, once its signature, times and claims check out at `now`.
    /// - Throws: `TokenRefusal` saying why the token is refused.
    public func account(of token: String, now: Date = Date()) async throws(TokenRefusal) -> String {
        let parsed = try JSONWebToken(token)
        let candidates = try await keys.candidates(algorithm: parsed.algorithm, keyID: parsed.keyID)
        guard !candidates.isEmpty else {
            throw .noKey(
                parsed.keyID.map { "none has kid \($0) and algorithm \(parsed.algorithm.rawValue)" }
                    ?? "none has algorithm \(parsed.algorithm.rawValue)")
        }
        guard candidates.contains(where: { $0.verifies(parsed.signature, of: parsed.signingInput) }) else {
            throw .signature
        }
        return try account(in: parsed.claims, now: now)
    }

    /// Checks the times and claims of a token whose signature verified.
    func account(in claims: JSONObject, now: Date) throws(TokenRefusal) -> String {
        let leeway = Double(rules.leeway.components.seconds)
        let seconds = now.timeIntervalSince1970
        guard let expiry = claims["exp"] else { throw .expired }
        guard let expiresAt = expiry.numberValue else { throw .claim("exp is not a number") }
        guard seconds < expiresAt + leeway else { throw .expired }
        if let notBefore = claims["nbf"] {
            guard let start = notBefore.numberValue else { throw .claim("nbf is not a number") }
            guard seconds + leeway >= start else { throw .notYetValid }
        }
        if let issuer = rules.issuer, claims["iss"]?.stringValue != issuer {
            throw .claim("iss is not the configured issuer")
        }
        if let audience = rules.audience {
            let audiences = claims["aud"].map {
                $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue].compactMap { $0 }
            }
            guard audiences?.contains(audience) == true else {
                throw .claim("aud does not include the configured audience")
            }
        }
        guard let account = claims[rules.accountClaim]?.stringValue, account.utf8.count <= 255,
            account.unicodeScalars.contains(where: { !$0.properties.isWhitespace }),
            !account.unicodeScalars.contains(where: {
                [.control, .format].contains($0.properties.generalCategory)
            })
        else {
            throw .claim(
                "\(rules.accountClaim) is not an account name (1 to 255 bytes, not only spaces, no control or "
                    + "invisible formatting characters)")
        }
        return account
    }
}
