/// WeChat's API paths, below its base URL.
extension ProviderRoute {
    public static let wechatSend = fixed("/ilink/bot/sendmessage")
    /// WeChat (iLink)'s upload address for a file's encrypted bytes on its CDN.
    public static let wechatUploadURL = fixed("/ilink/bot/getuploadurl")
    /// WeChat (iLink)'s per-user settings, with the ticket its typing indicator needs.
    public static let wechatConfig = fixed("/ilink/bot/getconfig")
    /// WeChat (iLink)'s typing indicator: status 1 typing, 2 cancelled.
    public static let wechatTyping = fixed("/ilink/bot/sendtyping")
    /// WeChat (iLink)'s long poll, with its opaque `get_updates_buf` cursor.
    public static let wechatUpdates = fixed("/ilink/bot/getupdates")
}
