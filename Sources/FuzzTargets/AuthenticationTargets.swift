import Authentication
import Foundation

extension FuzzTarget {
    /// A user's bearer token as the API checks it, against an HS256 secret, an RSA key and a P-256 key the
    /// fuzzer does not hold: whatever it makes, nothing may verify.
    static let jwt = FuzzTarget(
        name: "jwt",
        summary: "a user's bearer token, a compact JWT"
    ) { data throws(FuzzFailure) in
        let token = String(decoding: data, as: UTF8.self)
        let accepted: Bool
        do {
            accepted = try blocking { (try? await AuthenticationKeys.verifier.account(of: token)) != nil }
        } catch {
            throw FuzzFailure("the verifier's answer could not be awaited: \(error)")
        }
        try FuzzFailure.check(!accepted, "a token nobody signed was accepted: \(token)")
    }

    /// A JSON Web Key Set document, as a JWKS file or URL serves it: any bytes are read or refused, and
    /// every key read checks exactly one algorithm.
    static let jwks = FuzzTarget(
        name: "jwks",
        summary: "a JSON Web Key Set document"
    ) { data throws(FuzzFailure) in
        guard let keys = try? JSONWebKeySet.keys(data) else { return }
        try FuzzFailure.check(!keys.isEmpty, "a key set was read as no keys instead of refused")
        for key in keys {
            try FuzzFailure.check(key.algorithm != .hs256, "a key set's key was read as an HMAC secret")
        }
    }
}

/// The keys the `jwt` target checks tokens with: a secret, and the public keys of a key set made once with
/// `Tests/SwitchboardTests/Serve/APIScripts/mint.py keys` (their private halves were thrown away).
enum AuthenticationKeys {
    static let keySet = #"""
        {"keys": [{"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256", "n": "uriYorBGJVT6hR0ZqgFkNxsPtDjOluFWLlhrdz6FgNuEk2bdsK8ef7SVXG25d5TH8j6gAjTwgvZ_RG7oMGavJpADuvXos-xfHf4KRF8NrXkC_hjnJOj-t-UM-uD8nMOryUdtSZpdiXa8mh6Cd2QanRVXYmt0nkLsPtWUr032Z5VOcVC1Nrc9Le_g5j-N5BbxnCSZxkprYlXdpxBFScdg1wknM-3mYyUfhtZsJSUIqOYrc9gZesWANrKpEEYhzrVqJTCdn2mHKHXZrrg4w7E3fkH_JBN5eorUwWiaFR1xTsN6YOSFL2ufMpeHt9sTm6WXdZMGsc5WV5ALQZFLuv3gDQ", "e": "AQAB"}, {"kty": "EC", "kid": "ec-1", "use": "sig", "crv": "P-256", "x": "G8lvJ6DB78JTQU4FPiwQfBfBvQzcp8BjyVCjH1A-9mM", "y": "THXGj8GwktkhA3IxnEq6H8dWECc5ZORsouzLrwHL7eI"}]}
        """#

    static let verifier: TokenVerifier = {
        let secret = try! VerificationKey.secret(Data("a-secret-the-fuzzer-does-not-know-0123456789".utf8))
        let published = try! JSONWebKeySet.keys(Data(keySet.utf8))
        return TokenVerifier(keys: JWTKeys(configured: [secret] + published), rules: TokenRules())
    }()
}
