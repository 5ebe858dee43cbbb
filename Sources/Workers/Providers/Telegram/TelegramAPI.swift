import Enqueuer

/// Telegram's Bot API side: sends and edits, `sendChatAction`, and the `getUpdates` long poll.
struct TelegramAPI: ProviderAPI {
    let provider = Provider.telegram
    let defaultBaseURL = "https://api.telegram.org"
    let credentials = ["bot_token"]
    let textLimit = TextLimit(maximum: 4096, unit: .utf16)
    /// Uploads of up to 50 MB; photos up to 10 MB (a larger picture goes as a document); captions of
    /// 1,024 characters with the file.
    let fileLimits = FileLimits(
        maxBytes: 50_000_000, kinds: [.image: 10_000_000, .voice: 50_000_000, .audio: 50_000_000, .video: 50_000_000],
        caption: TextLimit(maximum: 1024, unit: .utf16))
    let typing: ProviderPart<any ProviderTyping> = .present(TelegramTyping())
    let socketMode: ProviderPart<any SocketMode.Type> = .absent(
        reason: "Telegram has no socket mode: `receive` reads its getUpdates long poll")
    let longPoll: ProviderPart<any UpdateSource.Type> = .present(TelegramUpdates.self)

    /// About 1 message a second in a private chat, 20 a minute in a group (negative chat ids).
    func rateBuckets(chat: String) -> RateBuckets {
        RateBuckets(
            chat: .init(key: "telegram:chat:\(chat)", interval: chat.hasPrefix("-") ? .seconds(3) : .seconds(1)),
            bot: .init(key: "telegram:bot", interval: .milliseconds(34))
        )
    }

    func client(_ context: ClientContext) -> any ProviderClient {
        TelegramClient(context: context)
    }
}
