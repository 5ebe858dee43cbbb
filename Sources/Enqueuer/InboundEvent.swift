import ChatStore
import Queue

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
    /// The message's text (a caption, for a file with one); empty for a message that is only attachments.
    public var text: String
    /// The files the message carries, in the order the provider lists them.
    public var attachments: [InboundAttachment] = []
    /// The provider's own id for the message, which its redeliveries repeat; never a client-made id.
    public var messageID: String?
    /// The id of the delivery envelope, where the provider has one (Slack `event_id`, Telegram `update_id`).
    public var eventID: String?
    public var replyTarget: ReplyTarget
    public var receivedAt: Timestamp
    /// The bot that received the message, where a receiver knows it (Discord's application id over the
    /// Gateway): it scopes the dedupe key of a message without a workspace (a Discord direct message),
    /// which would otherwise have none.
    public var receivingBot: String? = nil

    /// The conversation this message belongs to: its history and its ordering group.
    public var conversationKey: String {
        ConversationKey.make(provider: provider, workspace: workspaceID, conversation: conversationID, thread: threadID)
    }

    /// What makes a redelivery of this message recognisable; nil when the provider gave no workspace (and
    /// no receiving bot) or no server-stable message id, in which case the message is not deduplicated.
    public var dedupeScope: DedupeScope? {
        guard let workspace = workspaceID ?? receivingBot.map({ "bot:" + $0 }), let messageID else { return nil }
        return DedupeScope(
            provider: provider, workspace: workspace, conversation: conversationID, messageID: messageID)
    }

    /// The identity a connect code binds: provider, workspace and sender; nil without a workspace.
    public var identity: ChannelIdentity? {
        workspaceID.map { ChannelIdentity(provider: provider.rawValue, workspace: $0, user: senderID) }
    }
}
