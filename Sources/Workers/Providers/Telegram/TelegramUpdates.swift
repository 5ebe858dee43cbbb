import Enqueuer
import Foundation
import HTTPClient
import JSON

/// Telegram's `getUpdates`: the cursor is the next `offset`, one more than the last `update_id` recorded.
/// Telegram forgets the updates below an offset once it is asked for it, so the offset must only move
/// past updates already committed, which the poller's transaction guarantees.
public struct TelegramUpdates: UpdateSource {
    /// Telegram's identifiers have at most 52 significant bits: an `update_id` past this is no update's,
    /// and one past `Int64.max` could not be asked from.
    static let updateIDs: Range<Int64> = 0..<(1 << 53)

    public let provider = Provider.telegram
    public let name: String
    private let settings: ProviderSettings
    private let http: HTTPClient
    private let timeout: Duration

    /// - Parameter timeout: how long Telegram may hold a poll open when there is nothing to answer.
    public init(settings: ProviderSettings, http: HTTPClient, timeout: Duration) {
        self.settings = settings
        self.http = http
        self.timeout = timeout
        // The bot id before the token's colon names the bot without revealing its secret half.
        name = "telegram:" + (settings.credential("bot_token").split(separator: ":").first.map(String.init) ?? "")
    }

    public func fetch(after cursor: String?) async throws(PollError) -> UpdatePage {
        var parameters = JSONObject(["timeout": .integer(timeout.components.seconds), "limit": .integer(100)])
        if let cursor, let offset = Int64(cursor) {
            parameters.set("offset", .integer(offset))
        }
        var request = HTTPRequest.json(
            settings.url(.telegramUpdates, "\(settings.credential("bot_token"))"),
            JSONValue.object(parameters).serialized)
        request.totalTimeout = timeout + .seconds(15)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw .transient("telegram getUpdates: \(error)")
        }
        guard case .object(let answer)? = try? JSONParser.parse(response.body) else {
            throw .transient("telegram getUpdates answered HTTP \(response.status) without JSON")
        }
        let description = answer["description"]?.stringValue ?? ""
        switch (response.status, answer["ok"]) {
        case (200, .bool(true)?):
            break
        case (409, _) where description.contains("other getUpdates"):
            // Another poller of the same bot (a process outside the fleet's hold): it ends, or this one waits.
            throw .transient("telegram getUpdates: another poller of this bot is polling (\(description))")
        case (409, _):
            throw .fatal(
                "Telegram refuses getUpdates while a webhook is set (\(description)). Delete the webhook "
                    + "(deleteWebhook) to poll, or receive Telegram through `switchboard serve` instead.")
        case (401, _), (404, _):
            throw .fatal("Telegram refused the bot token (HTTP \(response.status)): check providers.telegram.bot_token")
        default:
            throw .transient("telegram getUpdates answered HTTP \(response.status): \(description)")
        }
        guard case .array(let updates)? = answer["result"] else {
            throw .transient("telegram getUpdates answered without a result array")
        }
        var next = cursor.flatMap { Int64($0) }
        for update in updates {
            guard let id = update.objectValue?["update_id"]?.integerValue else {
                throw .transient("telegram getUpdates answered an update without update_id")
            }
            guard Self.updateIDs.contains(id) else {
                throw .transient("telegram getUpdates answered an update_id out of range (\(id))")
            }
            next = max(next ?? id + 1, id + 1)
        }
        return UpdatePage(bodies: updates.map(\.serialized), next: next.map(String.init) ?? (cursor ?? ""))
    }
}
