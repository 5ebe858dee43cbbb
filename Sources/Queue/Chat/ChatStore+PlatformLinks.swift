import Foundation
import Queue

/// Platform links: a server (every group conversation there) or a user (their direct messages) that
/// belongs to an account.
extension ChatStore {
    /// The links an account owns, oldest first.
    public func links(account: String) async throws -> [PlatformLink] {
        try await storage.links(account: account)
    }

    /// The link of a server or user, if there is one.
    public func link(type: LinkType, platform: String, subject: String) async throws -> PlatformLink? {
        try await storage.link(type: type, platform: platform, subject: subject)
    }

    /// Deletes a link, which only the account that owns it may do.
    /// - Parameter type: the kind of link the caller means; a link of the other kind is not found.
    /// - Throws: `LinkError.notFound` or `.notOwner`.
    public func deleteLink(id: Int64, account: String, type: LinkType? = nil) async throws {
        try await storage.deleteLink(id: id, account: account, type: type)
    }

    /// The account that owns a message: the server link of its workspace for a group message, else the
    /// user link of its sender for a direct message, else the sender's channel connection, else none.
    public func resolveOwner(provider: String, workspace: String?, sender: String, isDirect: Bool) async throws
        -> OwnerResolution
    {
        if !isDirect, let workspace, let link = try await link(type: .server, platform: provider, subject: workspace) {
            return .serverLink(account: link.account)
        }
        if isDirect, let link = try await link(type: .user, platform: provider, subject: sender) {
            return .userLink(account: link.account)
        }
        if let workspace,
            let owner = try await storage.connectedOwner(
                ChannelIdentity(provider: provider, workspace: workspace, user: sender))
        {
            return .channelConnection(account: owner)
        }
        return .unlinked
    }
}
