import Queue

extension ChatStorage {
    func linkCounts() async throws -> LinkCounts {
        try await read { sql, time in
            let links = sql.dialect.table("platform_links")
            return try sql.queryFirst(
                """
                SELECT (SELECT count(*) FROM \(links) WHERE type = 'server'),
                       (SELECT count(*) FROM \(links) WHERE type = 'user'),
                       (SELECT count(*) FROM \(sql.dialect.table("channel_connections")) WHERE status = 'active'),
                       (SELECT count(*) FROM \(sql.dialect.table("link_tokens"))
                        WHERE used_at IS NULL AND superseded_at IS NULL AND expires_at > \(sql.dialect.time(1)))
                """,
                [time.value],
                row: {
                    LinkCounts(
                        serverLinks: Int($0.int64(0)), userLinks: Int($0.int64(1)),
                        channelConnections: Int($0.int64(2)), pendingLinkTokens: Int($0.int64(3)))
                }
            ) ?? LinkCounts(serverLinks: 0, userLinks: 0, channelConnections: 0, pendingLinkTokens: 0)
        }
    }
}
