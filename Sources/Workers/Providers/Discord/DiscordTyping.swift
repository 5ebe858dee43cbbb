import Enqueuer
import HTTPClient

/// Discord's typing route, whose indicator lasts about 10 s: posted every 8 s.
struct DiscordTyping: ProviderTyping {
    func requests(
        for target: ReplyTarget, settings: ProviderSettings, ask: (HTTPRequest) async -> HTTPResponse?
    ) async -> TypingRequests? {
        TypingRequests(
            request: HTTPRequest(
                .post, settings.url(.discordTyping, target.chat), headers: DiscordClient.headers(settings)),
            interval: .seconds(8))
    }
}
