import Enqueuer
import Foundation
import HTTPClient
import JSON

/// Telegram Bot API: `POST {base}/bot{token}/sendMessage`, quoting the message it answers with
/// `reply_parameters` (Bot API 7.0; `reply_to_message_id` is deprecated), sent even if that message is gone;
/// an edit is `editMessageText`, and one that changes nothing ("message is not modified") is done already.
/// A file goes as multipart form data to `sendPhoto`, `sendVoice`, `sendAudio`, `sendVideo` or
/// `sendDocument`, with the message's text as its caption.
struct TelegramClient: HTTPProviderClient {
    let context: ClientContext

    var edits: Bool { true }

    func deliver(_ message: OutboundMessage) async throws(SendFailure) -> SendOutcome {
        let request = message.file.map { sendFile($0, message) } ?? sendText(message)
        let response = try await context.send(request, uploading: message.file != nil)
        return answer(response, to: message)
    }

    private func sendText(_ message: OutboundMessage) -> HTTPRequest {
        var body = JSONObject(["chat_id": .string(message.target.chat), "text": .string(message.text)])
        let url: String
        if let replacing = message.replacing {
            body.set("message_id", Int64(replacing).map(JSONValue.integer) ?? .string(replacing))
            url = context.settings.url(.telegramEdit, context.settings.credential("bot_token"))
        } else {
            body.set(
                "reply_parameters",
                message.repliesToMessage.flatMap(Int64.init).map { id in
                    .object(JSONObject(["message_id": .integer(id), "allow_sending_without_reply": .bool(true)]))
                })
            body.set("message_thread_id", message.target.thread.flatMap(Int64.init).map(JSONValue.integer))
            url = context.settings.url(.telegramSend, context.settings.credential("bot_token"))
        }
        return .json(url, JSONValue.object(body).serialized)
    }

    private func sendFile(_ file: OutboundFile, _ message: OutboundMessage) -> HTTPRequest {
        let (route, field): (ProviderRoute, String) =
            switch file.kind {
            case .image: (.telegramSendPhoto, "photo")
            case .voice: (.telegramSendVoice, "voice")
            case .audio: (.telegramSendAudio, "audio")
            case .video: (.telegramSendVideo, "video")
            case .file, .sticker: (.telegramSendDocument, "document")
            }
        var parts: [FormPart] = [.field("chat_id", message.target.chat)]
        if !message.text.isEmpty { parts.append(.field("caption", message.text)) }
        if let thread = message.target.thread { parts.append(.field("message_thread_id", thread)) }
        if let quoted = message.repliesToMessage.flatMap(Int64.init) {
            let parameters = JSONObject(["message_id": .integer(quoted), "allow_sending_without_reply": .bool(true)])
            parts.append(
                .field("reply_parameters", String(decoding: JSONValue.object(parameters).serialized, as: UTF8.self)))
        }
        parts.append(.file(field, file.data ?? Data(), fileName: file.fileName, contentType: file.contentType))
        return .form(context.settings.url(route, context.settings.credential("bot_token")), parts)
    }

    private func answer(_ response: HTTPResponse, to message: OutboundMessage) -> SendOutcome {
        let bucket = RateBuckets.of(message).chat.key
        guard let answer = ClientContext.object(response.body) else {
            return response.status >= 500
                ? .retry("telegram answered HTTP \(response.status)")
                : .retry("telegram answered HTTP \(response.status) without JSON")
        }
        if answer["ok"] == .bool(true) {
            let sent = answer["result"]?.objectValue?["message_id"]?.integerValue.map { String($0) }
            return .delivered(messageID: sent ?? message.replacing)
        }
        let rawDescription = answer["description"]?.stringValue ?? "no description"
        if message.replacing != nil && rawDescription.contains("message is not modified") {
            return .delivered(messageID: message.replacing)
        }
        let description = context.describe(rawDescription, answering: message)
        switch answer["error_code"]?.integerValue ?? Int64(response.status) {
        case 429:
            let wait = Duration.providerWait(
                answer["parameters"]?.objectValue?["retry_after"]?.numberValue ?? response.retryAfterSeconds)
            return .slowDown(after: wait, bucket: bucket)
        case 500...:
            return .retry("telegram: \(description)")
        default:
            // 400 (chat not found, message too long), 401 (token revoked), 403 (bot blocked or kicked).
            return .reject("telegram \(answer["error_code"]?.integerValue ?? Int64(response.status)): \(description)")
        }
    }
}
