import ChatStore
import Queue

/// The server-stable ids that make two deliveries the same message: (provider, workspace, conversation,
/// message id). Never a client-generated id, which a provider's redelivery need not repeat.
public struct DedupeScope: Sendable, Equatable {
    public var provider: Provider
    public var workspace: String
    public var conversation: String
    public var messageID: String

    /// The key stored for the scope: the provider, then a digest of the ids, so keys have one length
    /// and carry no raw chat or user ids into the database's key table or any output.
    public func key() throws -> String {
        let material = [workspace, conversation, messageID].map { "\($0.utf8.count):\($0)" }.joined()
        return "\(provider.rawValue):" + SecretToken.base64URL(try SecretToken.digest(material))
    }
}
