import Foundation

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
}
