import Queue

extension ChatSchema {
    /// Version 2 on PostgreSQL: the SQLite tables, in the `switchboard` namespace. A conversation's key and
    /// its messages' text are `bytea`, as they may hold U+0000, which PostgreSQL's `text` cannot.
    static let postgres = Migration(
        version: 2,
        sql: """
            CREATE TABLE switchboard.conversation_messages (
                id bigserial PRIMARY KEY,
                conversation bytea NOT NULL,
                role text NOT NULL CHECK (role IN ('user', 'assistant')),
                text bytea NOT NULL,
                job_id bigint,
                created_at bigint NOT NULL
            );
            CREATE INDEX conversation_messages_by_conversation
                ON switchboard.conversation_messages (conversation, id);
            CREATE INDEX conversation_messages_by_job
                ON switchboard.conversation_messages (job_id) WHERE job_id IS NOT NULL;

            CREATE TABLE switchboard.connect_codes (
                code_hash bytea PRIMARY KEY,
                owner text NOT NULL,
                provider text NOT NULL,
                created_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                consumed_at bigint,
                consumed_by text
            );
            CREATE INDEX connect_codes_by_owner ON switchboard.connect_codes (owner, provider, expires_at);
            CREATE INDEX connect_codes_by_expiry ON switchboard.connect_codes (expires_at);

            CREATE TABLE switchboard.channel_connections (
                id bigserial PRIMARY KEY,
                provider text NOT NULL,
                workspace text NOT NULL,
                external_user text NOT NULL,
                owner text NOT NULL,
                status text NOT NULL CHECK (status IN ('active', 'revoked')),
                created_at bigint NOT NULL,
                revoked_at bigint
            );
            CREATE UNIQUE INDEX channel_connections_active
                ON switchboard.channel_connections (provider, workspace, external_user) WHERE status = 'active';

            CREATE TABLE switchboard.platform_links (
                id bigserial PRIMARY KEY,
                type text NOT NULL CHECK (type IN ('server', 'user')),
                platform text NOT NULL,
                subject text NOT NULL,
                account text NOT NULL,
                created_at bigint NOT NULL
            );
            CREATE UNIQUE INDEX platform_links_subject ON switchboard.platform_links (type, platform, subject);
            CREATE INDEX platform_links_by_account ON switchboard.platform_links (account);

            CREATE TABLE switchboard.link_tokens (
                token_hash bytea PRIMARY KEY,
                type text NOT NULL CHECK (type IN ('server', 'user')),
                platform text NOT NULL,
                subject text NOT NULL,
                created_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                used_at bigint,
                superseded_at bigint,
                link_id bigint
            );
            CREATE INDEX link_tokens_by_subject ON switchboard.link_tokens (type, platform, subject);
            """
    )

    /// Version 3 on PostgreSQL: the SQLite table, in the `switchboard` namespace.
    static let postgresPollCursors = Migration(
        version: 3,
        sql: """
            CREATE TABLE switchboard.poll_cursors (
                source text PRIMARY KEY,
                cursor text NOT NULL,
                updated_at bigint NOT NULL
            );
            """
    )

    /// Version 10 on PostgreSQL: the SQLite table, in the `switchboard` namespace.
    static let postgresStreamHolds = Migration(
        version: 10,
        sql: """
            CREATE TABLE switchboard.stream_holds (
                stream text PRIMARY KEY,
                holder text,
                token bigint NOT NULL,
                expires_at bigint NOT NULL
            );
            """
    )

    /// Version 11 on PostgreSQL: the SQLite table, in the `switchboard` namespace. A sequence never hands
    /// out an id twice, as SQLite's `AUTOINCREMENT` does not.
    static let postgresSocketSends = Migration(
        version: 11,
        sql: """
            CREATE TABLE switchboard.socket_sends (
                id bigserial PRIMARY KEY,
                stream text NOT NULL,
                frame text NOT NULL,
                queued_at bigint NOT NULL,
                finished_at bigint
            );
            CREATE INDEX socket_sends_pending ON switchboard.socket_sends (stream, id) WHERE finished_at IS NULL;
            CREATE INDEX socket_sends_finished
                ON switchboard.socket_sends (finished_at) WHERE finished_at IS NOT NULL;
            """
    )

    /// Version 12 on PostgreSQL: the SQLite table, in the `switchboard` namespace.
    static let postgresAPITokens = Migration(
        version: 12,
        sql: """
            CREATE TABLE switchboard.api_tokens (
                id bigserial PRIMARY KEY,
                name text NOT NULL,
                token_hash bytea NOT NULL UNIQUE,
                scopes text NOT NULL,
                created_at bigint NOT NULL,
                revoked_at bigint
            );
            CREATE UNIQUE INDEX api_tokens_active_name ON switchboard.api_tokens (name) WHERE revoked_at IS NULL;
            """
    )

    /// Version 13 on PostgreSQL: the SQLite column.
    static let postgresServerNames = Migration(
        version: 13, sql: "ALTER TABLE switchboard.link_tokens ADD COLUMN server_name text;")
}
