import Foundation
import Queue

/// Connect codes: an owner asks for one, the person sends `/connect CODE` from a chat, and that chat
/// identity (provider, workspace, user) becomes the owner's.
extension ChatStore {
    /// Issues a connect code for `owner` on `provider`: 16 random bytes, valid `connectCodeLifetime`.
    /// - Throws: `LinkError.tooManyPending` when the owner already has `maxPendingConnectCodes` unexpired,
    ///   unused codes for the provider.
    public func requestConnectCode(owner: String, provider: String) async throws -> ConnectCode {
        try Self.requireValue(owner, "owner")
        try Self.requireValue(provider, "provider")
        let code = SecretToken.generate(byteCount: 16)
        let expiresAt = try await storage.insertConnectCode(
            digest: try SecretToken.digest(code), owner: owner, provider: provider, lifetime: Self.connectCodeLifetime,
            maxPending: Self.maxPendingConnectCodes
        )
        return ConnectCode(code: code, expiresAt: expiresAt)
    }

    /// Consumes a connect code (by its digest) and binds `identity` to the code's owner, revoking any
    /// earlier owner of the identity; returns the owner.
    ///
    /// Call it only once the message is known to carry provider, workspace and user: a refused identity
    /// never reaches the code, so a malformed message cannot burn it. Presenting a code again from the
    /// identity that consumed it answers the same owner (a retried link job), and changes nothing.
    /// - Throws: `LinkError.expiredOrUsed` when no unexpired, unused code of that provider has the digest.
    public func consumeConnectCode(digest: Data, identity: ChannelIdentity) async throws -> String {
        try Self.requireValue(identity.provider, "provider")
        try Self.requireValue(identity.workspace, "workspace")
        try Self.requireValue(identity.user, "user")
        return try await storage.consumeConnectCode(digest: digest, identity: identity)
    }

    /// The owner an identity is connected to, if any.
    public func connectedOwner(_ identity: ChannelIdentity) async throws -> String? {
        try await storage.connectedOwner(identity)
    }

    /// `owner`'s active channel connections, oldest first.
    public func connections(owner: String) async throws -> [ChannelConnection] {
        try Self.requireValue(owner, "owner")
        return try await storage.connections(owner: owner)
    }

    /// Revokes one of `owner`'s connections: messages from that identity are no longer theirs.
    /// - Throws: `LinkError.notFound` or `.notOwner`.
    public func revokeConnection(id: Int64, owner: String) async throws {
        try Self.requireValue(owner, "owner")
        try await storage.revokeConnection(id: id, owner: owner)
    }
}
