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

    public init(
        chat: String, message: String? = nil, thread: String? = nil, user: String? = nil, bot: String? = nil,
        context: String? = nil
    ) {
        self.chat = chat
        self.message = message
        self.thread = thread
        self.user = user
        self.bot = bot
        self.context = context
    }
}
