import Queue

extension PostgresChatStorage {
    func linkCounts() async throws -> LinkCounts {
        try await query { connection, time in
            let row = try connection.execute(
                """
                SELECT (SELECT count(*) FROM switchboard.platform_links WHERE type = 'server'),
                       (SELECT count(*) FROM switchboard.platform_links WHERE type = 'user'),
                       (SELECT count(*) FROM switchboard.channel_connections WHERE status = 'active'),
                       (SELECT count(*) FROM switchboard.link_tokens
                        WHERE used_at IS NULL AND superseded_at IS NULL AND expires_at > \(PostgresClockSQL.parameter(1)))
                """,
                [time.parameter])
            return row.first {
                LinkCounts(
                    serverLinks: Int($0.int64(0)), userLinks: Int($0.int64(1)), channelConnections: Int($0.int64(2)),
                    pendingLinkTokens: Int($0.int64(3)))
            }
                ?? LinkCounts(
                    serverLinks: 0, userLinks: 0, channelConnections: 0, pendingLinkTokens: 0)
        }
    }
}
