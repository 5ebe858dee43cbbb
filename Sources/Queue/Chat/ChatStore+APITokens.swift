import Foundation
import Queue

/// Services' API tokens: created with a name and scopes, shown once, kept as digests, revoked by name.
extension ChatStore {
    /// Creates a token: `APIToken.prefix` and 32 random bytes, valid until revoked.
    /// - Throws: `QueueError.invalidArgument` naming `name` or `scope`; `APITokenError.nameTaken`.
    public func createAPIToken(name: String, scopes: [APIScope]) async throws -> CreatedAPIToken {
        try Self.checkTokenName(name)
        guard !scopes.isEmpty else { throw QueueError.invalid("scope", "at least one is needed (links, jobs, admin)") }
        let secret = APIToken.prefix + SecretToken.generate(byteCount: 32)
        let token = try await storage.insertAPIToken(
            digest: try SecretToken.digest(secret), name: name, scopes: Array(Set(scopes)).sorted())
        return CreatedAPIToken(token: token, secret: secret)
    }

    /// The token in force that `secret` is; nil for anything else, which is not looked up unless it has a
    /// token's shape.
    public func apiToken(secret: String) async throws -> APIToken? {
        guard secret.hasPrefix(APIToken.prefix), SecretToken.isWellFormed(secret) else { return nil }
        return try await storage.activeAPIToken(digest: try SecretToken.digest(secret))
    }

    /// Every token, revoked ones too, oldest first.
    public func apiTokens() async throws -> [APIToken] {
        try await storage.apiTokens()
    }

    /// Revokes the token in force named `name`: it stops working at once.
    public func revokeAPIToken(name: String) async throws -> APIToken {
        try Self.checkTokenName(name)
        return try await storage.revokeAPIToken(name: name)
    }

    private static func checkTokenName(_ name: String) throws {
        guard (1...APIToken.maxNameBytes).contains(name.utf8.count),
            name.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || $0.properties.numericType != nil
                        || "-_.".unicodeScalars.contains($0))
            })
        else {
            throw QueueError.invalid("name", "must be 1 to \(APIToken.maxNameBytes) letters, digits, '-', '_' or '.'")
        }
    }
}
