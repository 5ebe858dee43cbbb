import Queue

/// How many links the chat tables hold, for an operator's overview (never who is linked).
public struct LinkCounts: Sendable, Equatable {
    public var serverLinks: Int
    public var userLinks: Int
    /// Chats bound to an owner by a connect code, still active.
    public var channelConnections: Int
    /// Link tokens issued and neither used, superseded nor expired.
    public var pendingLinkTokens: Int
}

extension ChatStore {
    /// How many links of each kind there are.
    public func linkCounts() async throws -> LinkCounts {
        try await storage.linkCounts()
    }
}
