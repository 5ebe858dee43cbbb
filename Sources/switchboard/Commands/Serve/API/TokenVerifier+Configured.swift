import Authentication
import Foundation
import Workers

extension TokenVerifier {
    /// The verifier `api.jwt` describes: its shared secret, its PEM and key set files (read now), and its
    /// key set URL (fetched when first needed).
    /// - Throws: `ConfigurationError` naming the setting and file whose key cannot be used.
    static func configured(_ settings: UserTokenSettings, log: @escaping @Sendable (String) -> Void) throws
        -> TokenVerifier
    {
        var keys: [VerificationKey] = []
        do {
            if let secret = settings.secret {
                keys.append(try VerificationKey.secret(Data(secret.utf8)))
            }
        } catch {
            throw ConfigurationError(.invalid, "api.jwt.secret \(error)")
        }
        if let path = settings.publicKeyFile {
            let text = try read(path, "public_key_file")
            do {
                keys.append(.publicKey(try PublicKey(pem: text)))
            } catch {
                throw ConfigurationError(.invalid, "api.jwt.public_key_file (\(path)) \(error)")
            }
        }
        if let path = settings.jwksFile {
            let text = try read(path, "jwks_file")
            do {
                keys += try JSONWebKeySet.keys(Data(text.utf8))
            } catch {
                throw ConfigurationError(.invalid, "api.jwt.jwks_file (\(path)) \(error)")
            }
        }
        return TokenVerifier(
            keys: JWTKeys(configured: keys, url: settings.jwksURL, log: log),
            rules: TokenRules(
                issuer: settings.issuer, audience: settings.audience, accountClaim: settings.accountClaim,
                leeway: settings.leeway))
    }

    private static func read(_ path: String, _ setting: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                .unreadable, "api.jwt.\(setting) (\(path)) cannot be read: \(error.localizedDescription)")
        }
    }
}
