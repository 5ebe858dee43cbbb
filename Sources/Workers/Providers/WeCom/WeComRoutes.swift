/// WeCom's API paths, below its base URL.
extension ProviderRoute {
    public static let wecomToken = fixed("/cgi-bin/gettoken")
    public static let wecomDirect = fixed("/cgi-bin/message/send")
    public static let wecomGroup = fixed("/cgi-bin/appchat/send")
}
