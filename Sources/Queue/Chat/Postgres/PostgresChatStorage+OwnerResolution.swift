import Foundation
import Queue

extension PostgresChatStorage {
    func resolveOwner(provider: String, workspace: String?, sender: String, isDirect: Bool) async throws
        -> OwnerResolution
    {
        try await read { connection, _ in
            if !isDirect, let workspace,
                let link = try Self.link(type: .server, platform: provider, subject: workspace, in: connection)
            {
                return .serverLink(account: link.account)
            }
            if isDirect, let link = try Self.link(type: .user, platform: provider, subject: sender, in: connection) {
                return .userLink(account: link.account)
            }
            if let workspace,
                let owner = try Self.activeOwner(
                    ChannelIdentity(provider: provider, workspace: workspace, user: sender), in: connection
                )
            {
                return .channelConnection(account: owner)
            }
            return .unlinked
        }
    }
}
