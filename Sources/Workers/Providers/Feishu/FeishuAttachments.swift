import Enqueuer
import Foundation
import HTTPClient

extension ProviderRoute {
    /// Feishu's message resources: `/open-apis/im/v1/messages/{message_id}/resources/{file_key}`.
    public static let feishuResource = around("/open-apis/im/v1/messages/", "/resources/", "")
}

/// Feishu: a GET of the message's resource by its key (`type=image` for images, `type=file` for files,
/// audio and video) with the tenant access token, served by the API's own host (up to 100 MB).
extension FeishuClient: AttachmentDownloading {
    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        guard let messageID = event.messageID, let key = attachment.reference else {
            throw .unreadable("feishu: the message has no id to fetch its resource by")
        }
        let token = try await context.downloadToken(tokens, fetch: fetchToken)
        return HTTPRequest(
            .get,
            context.settings.url(
                .feishuResource, Self.pathSegment(messageID), Self.pathSegment(key),
                query: "type=\(attachment.kind == .image ? "image" : "file")"),
            headers: [("Authorization", "Bearer \(token)")])
    }

    func credentialsRefused() async {
        await tokens.invalidate()
    }

    /// `text` escaped to stay one path segment.
    private static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
            ?? ""
    }
}
