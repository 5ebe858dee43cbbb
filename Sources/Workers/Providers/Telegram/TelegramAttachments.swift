import Enqueuer
import Foundation
import HTTPClient
import JSON

extension ProviderRoute {
    /// Telegram's file lookup: `/bot{token}/getFile`, answering the file's path.
    public static let telegramGetFile = around("/bot", "/getFile")
    /// Telegram's file download: `/file/bot{token}/{file_path}` (the path may hold slashes).
    public static let telegramFile = around("/file/bot", "/")
}

/// Telegram: `getFile` with the message's `file_id`, then a GET of `/file/bot{token}/{file_path}` on the
/// API's own host (files up to 20 MB; the link lasts at least an hour, and each attempt asks again).
extension TelegramClient: AttachmentDownloading {
    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        let token = context.settings.credential("bot_token")
        let body = JSONValue.object(JSONObject(["file_id": .string(attachment.reference ?? "")])).serialized
        let answer = try await context.lookup(
            .json(context.settings.url(.telegramGetFile, token), body), "telegram getFile")
        guard answer["ok"] == .bool(true), let path = answer["result"]?.objectValue?["file_path"]?.stringValue,
            !path.isEmpty
        else {
            let description = answer["description"]?.stringValue ?? "no file_path"
            throw .unreadable("telegram getFile: \(context.redactor.redact(description))")
        }
        return HTTPRequest(.get, context.settings.url(.telegramFile, token) + path)
    }
}
