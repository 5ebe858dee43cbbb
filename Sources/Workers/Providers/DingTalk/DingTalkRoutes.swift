/// DingTalk's API paths, below its base URL.
extension ProviderRoute {
    public static let dingtalkToken = fixed("/v1.0/oauth2/accessToken")
    public static let dingtalkDirect = fixed("/v1.0/robot/oToMessages/batchSend")
    public static let dingtalkGroup = fixed("/v1.0/robot/groupMessages/send")
    /// DingTalk's media upload, on its older API host (`oapi.dingtalk.com`): answers a `media_id`.
    public static let dingtalkMediaUpload = fixed("/media/upload")
}

extension ProviderRoute {
    /// DingTalk Stream mode: opens a connection, answering an endpoint and a one-time ticket.
    public static let dingtalkStreamOpen = fixed("/v1.0/gateway/connections/open")
}
