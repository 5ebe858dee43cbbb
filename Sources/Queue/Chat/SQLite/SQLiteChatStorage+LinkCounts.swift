import Queue

extension SQLiteChatStorage {
    func linkCounts() async throws -> LinkCounts {
        try await read { connection, now in
            let count = { (sql: String, values: [SQLValue]) in Int(try connection.integer(sql, values) ?? 0) }
            return LinkCounts(
                serverLinks: try count("SELECT count(*) FROM platform_links WHERE type = 'server'", []),
                userLinks: try count("SELECT count(*) FROM platform_links WHERE type = 'user'", []),
                channelConnections: try count("SELECT count(*) FROM channel_connections WHERE status = 'active'", []),
                pendingLinkTokens: try count(
                    "SELECT count(*) FROM link_tokens WHERE used_at IS NULL AND superseded_at IS NULL AND expires_at > ?1",
                    [.integer(now.millisecondsSince1970)]))
        }
    }
}
