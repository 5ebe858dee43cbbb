import Queue

extension ChatSchema {
    /// Version 2: conversation history, connect codes and channel connections, platform links and link tokens.
    ///
    /// Codes and tokens are stored only as SHA-256 digests (`*_hash`); the partial unique indexes make
    /// "one active owner per identity" and "one link per server or user" rules of the schema itself.
    static let sqlite = Migration(
        version: 2,
        sql: """
            CREATE TABLE conversation_messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                conversation TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
                text TEXT NOT NULL,
                job_id INTEGER,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX conversation_messages_by_conversation ON conversation_messages (conversation, id);
            CREATE INDEX conversation_messages_by_job ON conversation_messages (job_id) WHERE job_id IS NOT NULL;

            CREATE TABLE connect_codes (
                code_hash BLOB PRIMARY KEY,
                owner TEXT NOT NULL,
                provider TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                consumed_at INTEGER,
                consumed_by TEXT
            ) WITHOUT ROWID;
            CREATE INDEX connect_codes_by_owner ON connect_codes (owner, provider, expires_at);
            CREATE INDEX connect_codes_by_expiry ON connect_codes (expires_at);

            CREATE TABLE channel_connections (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                provider TEXT NOT NULL,
                workspace TEXT NOT NULL,
                external_user TEXT NOT NULL,
                owner TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE UNIQUE INDEX channel_connections_active
                ON channel_connections (provider, workspace, external_user) WHERE status = 'active';

            CREATE TABLE platform_links (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                type TEXT NOT NULL CHECK (type IN ('server', 'user')),
                platform TEXT NOT NULL,
                subject TEXT NOT NULL,
                account TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX platform_links_subject ON platform_links (type, platform, subject);
            CREATE INDEX platform_links_by_account ON platform_links (account);

            CREATE TABLE link_tokens (
                token_hash BLOB PRIMARY KEY,
                type TEXT NOT NULL CHECK (type IN ('server', 'user')),
                platform TEXT NOT NULL,
                subject TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER,
                superseded_at INTEGER,
                link_id INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX link_tokens_by_subject ON link_tokens (type, platform, subject);
            """
    )

    /// Version 3: where each poller has read its provider's updates to.
    static let sqlitePollCursors = Migration(
        version: 3,
        sql: """
            CREATE TABLE poll_cursors (
                source TEXT PRIMARY KEY,
                cursor TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """
    )

    /// Version 10: who holds each stream (a bot's connection) across the fleet (`StreamHold`). A released
    /// hold keeps its row with no holder, so the next taker's token still rises past it.
    static let sqliteStreamHolds = Migration(
        version: 10,
        sql: """
            CREATE TABLE stream_holds (
                stream TEXT PRIMARY KEY,
                holder TEXT,
                token INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """
    )

    /// Version 11: frames queued for a bot's socket, sent by its stream's holder (`SocketSend`).
    ///
    /// `AUTOINCREMENT` because an id must never be handed out twice: the prune may delete the newest rows
    /// (once the frames queued last were finished over an hour ago), and a plain rowid would then reuse
    /// their ids, so a frame queued later could have a lower id than one a holder has already seen, and a
    /// finish held back from before the prune would mark the new frame finished unsent. The partial
    /// indexes keep each read small: a stream's pending frames in order, the finished ones oldest first.
    static let sqliteSocketSends = Migration(
        version: 11,
        sql: """
            CREATE TABLE socket_sends (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                stream TEXT NOT NULL,
                frame TEXT NOT NULL,
                queued_at INTEGER NOT NULL,
                finished_at INTEGER
            );
            CREATE INDEX socket_sends_pending ON socket_sends (stream, id) WHERE finished_at IS NULL;
            CREATE INDEX socket_sends_finished ON socket_sends (finished_at) WHERE finished_at IS NOT NULL;
            """
    )

    /// Version 12: the services' API tokens (`APIToken`), kept as digests. A name is unique among the
    /// tokens not revoked; a revoked token keeps its row, so listings show what was revoked and when.
    static let sqliteAPITokens = Migration(
        version: 12,
        sql: """
            CREATE TABLE api_tokens (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                token_hash BLOB NOT NULL UNIQUE,
                scopes TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;
            """
    )

    /// Version 13: the name of the server a link token is for, when the bot that issued it knew it, for
    /// the link page to show.
    static let sqliteServerNames = Migration(
        version: 13, sql: "ALTER TABLE link_tokens ADD COLUMN server_name TEXT;")
}
