import Foundation
import Queue

/// An IM identity: who someone is on one provider's workspace.
public struct ChannelIdentity: Sendable, Hashable {
    public var provider: String
    public var workspace: String
    public var user: String

    public init(provider: String, workspace: String, user: String) {
        self.provider = provider
        self.workspace = workspace
        self.user = user
    }

    /// The identity as one string, each part prefixed by its length, so no two identities share one.
    var key: String {
        [provider, workspace, user].map { "\($0.utf8.count):\($0)" }.joined()
    }
}
