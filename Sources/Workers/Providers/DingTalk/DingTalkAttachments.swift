import Enqueuer
import Foundation
import HTTPClient
import JSON

extension ProviderRoute {
    /// DingTalk's robot file download: answers a short-lived `downloadUrl` for a message's `downloadCode`.
    public static let dingtalkFileDownload = fixed("/v1.0/robot/messageFiles/download")
}

/// DingTalk: the message's `downloadCode` and the robot's code exchanged for a `downloadUrl`
/// (`/v1.0/robot/messageFiles/download` with the access token), then a plain GET of that URL on
/// DingTalk's file hosts (UNVERIFIED: `*.dingtalk.com` and Alibaba Cloud's `*.aliyuncs.com`).
extension DingTalkClient: AttachmentDownloading {
    var fileHosts: [String] { [".dingtalk.com", ".aliyuncs.com"] }

    func attachmentRequest(for attachment: InboundAttachment, in event: InboundEvent) async throws(AttachmentFailure)
        -> HTTPRequest
    {
        let token = try await context.downloadToken(tokens, fetch: fetchToken)
        let body = JSONValue.object(
            JSONObject([
                "downloadCode": .string(attachment.reference ?? ""),
                "robotCode": .string(event.replyTarget.bot ?? context.settings.credential("app_key")),
            ])
        ).serialized
        let answer = try await context.lookup(
            .json(
                context.settings.url(.dingtalkFileDownload), body, headers: [("x-acs-dingtalk-access-token", token)]),
            "dingtalk messageFiles/download", tokens: tokens)
        guard let url = answer["downloadUrl"]?.stringValue, !url.isEmpty else {
            throw .unreadable("dingtalk messageFiles/download answered no downloadUrl")
        }
        return HTTPRequest(.get, url)
    }

    func credentialsRefused() async {
        await tokens.invalidate()
    }
}
