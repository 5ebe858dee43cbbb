/// Slack's API paths, below its base URL.
extension ProviderRoute {
    public static let slackPost = fixed("/api/chat.postMessage")
    public static let slackUpdate = fixed("/api/chat.update")
    /// Slack's assistant-thread status, its typing indicator.
    public static let slackThreadStatus = fixed("/api/assistant.threads.setStatus")
}
