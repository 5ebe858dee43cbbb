/// Slack's API paths, below its base URL.
extension ProviderRoute {
    public static let slackPost = fixed("/api/chat.postMessage")
    public static let slackUpdate = fixed("/api/chat.update")
    /// Slack's upload of a file: an upload URL for its bytes, then the share of the file in a channel.
    public static let slackUploadURL = fixed("/api/files.getUploadURLExternal")
    public static let slackCompleteUpload = fixed("/api/files.completeUploadExternal")
    /// Slack's assistant-thread status, its typing indicator.
    public static let slackThreadStatus = fixed("/api/assistant.threads.setStatus")
}

extension ProviderRoute {
    /// Slack Socket Mode: `apps.connections.open` hands out a socket URL for the app-level token.
    public static let slackConnectionsOpen = fixed("/api/apps.connections.open")
}
