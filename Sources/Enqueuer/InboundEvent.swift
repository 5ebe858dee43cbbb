import Queue

/// Where and how to answer a message: the provider's own addressing, kept as the webhook gave it.
public struct ReplyTarget: Sendable, Equatable {
    /// The chat, channel or conversation to post into.
    public var chat: String
    /// The message to reply to or quote, where the provider supports it.
    public var message: String?
    /// The thread or topic to post into.
    public var thread: String?
    /// The person to address directly (DingTalk and WeCom direct messages).
    public var user: String?
    /// The bot the message came to (DingTalk robot code, WeCom bot id).
    public var bot: String?
    /// An opaque context the provider needs to reply (WeChat's context token).
    public var context: String?

    public init(chat: String, message: String? = nil, thread: String? = nil, user: String? = nil, bot: String? = nil,
                context: String? = nil) {
        self.chat = chat
        self.message = message
        self.thread = thread
        self.user = user
        self.bot = bot
        self.context = context
    }
}

/// One inbound chat message, the same shape whatever provider it came from.
public struct InboundEvent: Sendable, Equatable {
    public var provider: Provider
    /// The scope the provider's ids are unique in (Slack team, Discord guild, a Telegram chat ...);
    /// nil when the provider gave none (a Discord direct message).
    public var workspaceID: String?
    public var conversationID: String
    public var threadID: String?
    public var senderID: String
    /// A one-to-one chat with the bot, rather than a group or channel.
    public var isDirect: Bool
    public var text: String
    /// The provider's own id for the message, which its redeliveries repeat; never a client-made id.
    public var messageID: String?
    /// The id of the delivery envelope, where the provider has one (Slack `event_id`, Telegram `update_id`).
    public var eventID: String?
    public var replyTarget: ReplyTarget
    public var receivedAt: Timestamp

    /// The conversation this message belongs to: its history and its ordering group.
    public var conversationKey: String {
        ConversationKey.make(provider: provider, workspace: workspaceID, conversation: conversationID, thread: threadID)
    }

    /// What makes a redelivery of this message recognisable; nil when the provider gave no workspace or
    /// no server-stable message id, in which case the message is not deduplicated at all.
    public var dedupeScope: DedupeScope? {
        guard let workspaceID, let messageID else { return nil }
        return DedupeScope(provider: provider, workspace: workspaceID, conversation: conversationID, messageID: messageID)
    }

    /// The identity a connect code binds: provider, workspace and sender; nil without a workspace.
    public var identity: ChannelIdentity? {
        workspaceID.map { ChannelIdentity(provider: provider.rawValue, workspace: $0, user: senderID) }
    }
}

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

/// Conversation keys: provider, workspace, conversation and thread, each escaped so no two differ only
/// in where the separators fall.
enum ConversationKey {
    static func make(provider: Provider, workspace: String?, conversation: String, thread: String?) -> String {
        ([provider.rawValue, workspace ?? "-", conversation] + (thread.map { [$0] } ?? []))
            .map(escape)
            .joined(separator: "/")
    }

    private static func escape(_ part: String) -> String {
        guard part.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "/") }) else { return part }
        var escaped = ""
        for character in part.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "/": escaped += "%2F"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
