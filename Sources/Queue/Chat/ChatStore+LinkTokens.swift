import Foundation
import Queue

/// Link tokens: issued for a server or a user of a platform, confirmed once by the account that takes it.
extension ChatStore {
    /// Issues a link token for a server or user of a platform: 32 random bytes, valid `linkTokenLifetime`;
    /// it supersedes the pending tokens for the same server or user.
    /// - Parameter serverName: the server's name, for the link page to show (server links only).
    /// - Throws: `LinkError.alreadyLinked` when that server or user is already linked.
    public func createLinkToken(type: LinkType, platform: String, subject: String, serverName: String? = nil)
        async throws -> LinkToken
    {
        try Self.requireIdentifier(platform, "platform")
        try Self.requireIdentifier(subject, type == .server ? "server id" : "user id")
        if let serverName {
            guard type == .server else { throw QueueError.invalid("server name", "is for server links only") }
            try Self.requireIdentifier(serverName, "server name")
        }
        let token = SecretToken.generate(byteCount: 32)
        let expiresAt = try await storage.insertLinkToken(
            digest: try SecretToken.digest(token), type: type, platform: platform, subject: subject,
            serverName: serverName, lifetime: Self.linkTokenLifetime
        )
        return LinkToken(token: token, expiresAt: expiresAt)
    }

    /// Where a token stands: pending, linked, expired or superseded.
    /// - Throws: `LinkError.malformedToken` (not looked up) or `.notFound`.
    public func linkTokenStatus(_ token: String) async throws -> LinkTokenStatus {
        try await linkTokenInfo(token).status
    }

    /// What a link page may show about a token: its flow, platform, status and expiry.
    /// - Throws: `LinkError.malformedToken` (not looked up) or `.notFound`.
    public func linkTokenInfo(_ token: String) async throws -> LinkTokenInfo {
        guard SecretToken.isWellFormed(token) else { throw LinkError.malformed }
        guard let record = try await storage.linkToken(digest: try SecretToken.digest(token)) else {
            throw LinkError(.notFound, "no such link token")
        }
        return LinkTokenInfo(
            type: record.type, platform: record.platform, serverName: record.serverName,
            status: record.status(at: jobs.clock.now()), expiresAt: record.expiresAt)
    }

    /// Consumes a link token and links its server or user to `account`, in one transaction: if the link
    /// cannot be created, the token stays unused. Of two racing confirmations exactly one succeeds.
    /// - Parameter expecting: the flow the caller confirms; a token of the other flow is refused.
    /// - Throws: `LinkError` `.malformedToken`, `.notFound`, `.wrongFlow`, `.expiredOrUsed` or `.alreadyLinked`.
    public func confirmLinkToken(_ token: String, account: String, expecting: LinkType? = nil) async throws
        -> PlatformLink
    {
        guard SecretToken.isWellFormed(token) else { throw LinkError.malformed }
        try Self.requireValue(account, "account")
        return try await storage.confirmLinkToken(
            digest: try SecretToken.digest(token), account: account, expecting: expecting)
    }
}
