/// WeCom's API paths, below its base URL.
extension ProviderRoute {
    public static let wecomToken = fixed("/cgi-bin/gettoken")
    public static let wecomDirect = fixed("/cgi-bin/message/send")
    public static let wecomGroup = fixed("/cgi-bin/appchat/send")
    /// WeCom's temporary media upload (`?type=image|file`): answers a `media_id` kept three days.
    public static let wecomMediaUpload = fixed("/cgi-bin/media/upload")
}
