import Enqueuer

/// One provider's API side, in its folder: how Switchboard talks to the provider's API. Its settings (the
/// address and the credentials it sends with), its client for sends and edits, how long a message may be,
/// how fast it may send, how it shows a chat the bot is typing, and its long poll where it has one.
///
/// Each provider has one (`Provider.api`), beside its inbound side in Enqueuer (`ProviderInbound`). The
/// long poll and the socket mode live here and not inbound because they call the API like a send does.
package protocol ProviderAPI: Sendable {
    /// The provider this is the home of.
    var provider: Provider { get }
    /// The provider's production API, used where `providers.P.base_url` is not configured.
    var defaultBaseURL: String { get }
    /// The credentials the provider sends with (`providers.P.NAME`): a provider configured without one of
    /// them is refused.
    var credentials: [String] { get }
    /// Other names the configuration accepts for credentials, each mapped to the credential it names
    /// (DingTalk's `client_id` is its `app_key`).
    var credentialAliases: [String: String] { get }
    /// The limit the provider documents for one text message.
    var textLimit: TextLimit { get }
    /// What the provider takes of the files a bot sends.
    var fileLimits: FileLimits { get }
    /// What the provider takes of the files sent to `target` (some chats take none).
    func fileLimits(to target: ReplyTarget) -> FileLimits
    /// The buckets a send to `chat` belongs to, with the provider's documented pace for each.
    func rateBuckets(chat: String) -> RateBuckets
    /// How the provider shows a chat that the bot is typing, or why it shows nothing.
    var typing: ProviderPart<any ProviderTyping> { get }
    /// The provider's long poll, for bots without a public URL, or why it has none.
    var longPoll: ProviderPart<any UpdateSource.Type> { get }
    /// The provider's socket mode, for bots without a public URL, or why it has none.
    var socketMode: ProviderPart<any SocketMode.Type> { get }
    /// The client that sends and edits the provider's messages, through `context`.
    func client(_ context: ClientContext) -> any ProviderClient
}

extension ProviderAPI {
    package var credentialAliases: [String: String] { [:] }

    package func fileLimits(to target: ReplyTarget) -> FileLimits { fileLimits }

    /// The credentials `settings` lacks for the provider to be answered: its API's, unless its socket mode
    /// answers over the socket and has what it needs (a WeCom AI bot's `bot_id` and `bot_secret`).
    /// When some of those socket settings are given, the socket is what the operator meant: the ones
    /// missing are named, not the API's.
    package func missingCredentials(_ settings: ProviderSettings) -> [String] {
        if let mode = socketMode.part, mode.repliesOverSocket {
            let missing = mode.requiredSettings.filter { settings.credential($0).isEmpty }
            if missing.count < mode.requiredSettings.count { return missing }
        }
        return credentials.filter { settings.credential($0).isEmpty }
    }
}
