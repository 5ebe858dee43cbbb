/// Feishu's API paths, below its base URL.
extension ProviderRoute {
    public static let feishuToken = fixed("/open-apis/auth/v3/tenant_access_token/internal")
    public static let feishuSend = fixed("/open-apis/im/v1/messages")
    /// Feishu: `/open-apis/im/v1/messages/{message_id}/reply`.
    public static let feishuReply = around("/open-apis/im/v1/messages/", "/reply")
    /// Feishu's edit (`PUT`): `/open-apis/im/v1/messages/{message_id}`.
    public static let feishuMessage = around("/open-apis/im/v1/messages/", "")
    /// Feishu's uploads of an image and of a file, for a message to show by the key they answer.
    public static let feishuImageUpload = fixed("/open-apis/im/v1/images")
    public static let feishuFileUpload = fixed("/open-apis/im/v1/files")
}

extension ProviderRoute {
    /// Feishu's long connection: hands out a socket URL for the app's id and secret.
    public static let feishuSocketEndpoint = fixed("/callback/ws/endpoint")
}
