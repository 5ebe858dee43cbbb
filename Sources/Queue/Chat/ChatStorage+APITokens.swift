import Foundation
import Queue

extension ChatStorage {
    /// Stores a new token's digest under `name`.
    /// - Throws: `APITokenError.nameTaken` when a token not revoked has that name.
    func insertAPIToken(digest: Data, name: String, scopes: [APIScope]) async throws -> APIToken {
        try await write { sql, now in
            let tokens = sql.dialect.table("api_tokens")
            try sql.lock("api-token", name)
            if try sql.integer("SELECT 1 FROM \(tokens) WHERE name = $1 AND revoked_at IS NULL", [.text(name)]) != nil {
                throw APITokenError.nameTaken(name)
            }
            let stored = scopes.map(\.rawValue).joined(separator: " ")
            guard
                let id = try sql.integer(
                    "INSERT INTO \(tokens) (name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                    [.text(name), .blob(digest), .text(stored), .integer(now.millisecondsSince1970)]
                )
            else {
                throw QueueError(.internal, "INSERT ... RETURNING id returned no row")
            }
            return APIToken(id: id, name: name, scopes: scopes, createdAt: now, revokedAt: nil)
        }
    }

    /// The token in force whose digest is `digest`.
    func activeAPIToken(digest: Data) async throws -> APIToken? {
        try await read { sql, _ in
            try sql.queryFirst(
                "SELECT \(APIToken.columns) FROM \(sql.dialect.table("api_tokens")) WHERE token_hash = $1 AND revoked_at IS NULL",
                [.blob(digest)],
                row: { try APIToken($0) }
            )
        }
    }

    /// Every token, revoked ones too, oldest first.
    func apiTokens() async throws -> [APIToken] {
        try await read { sql, _ in
            try sql.query(
                "SELECT \(APIToken.columns) FROM \(sql.dialect.table("api_tokens")) ORDER BY id", [],
                row: { try APIToken($0) })
        }
    }

    /// Revokes the token in force named `name`; returns it.
    /// - Throws: `APITokenError.notFound` when no token in force has that name.
    func revokeAPIToken(name: String) async throws -> APIToken {
        try await write { sql, now in
            guard
                let revoked = try sql.queryFirst(
                    """
                    UPDATE \(sql.dialect.table("api_tokens")) SET revoked_at = $2
                    WHERE name = $1 AND revoked_at IS NULL RETURNING \(APIToken.columns)
                    """,
                    [.text(name), .integer(now.millisecondsSince1970)],
                    row: { try APIToken($0) }
                )
            else {
                throw APITokenError.notFound(name)
            }
            return revoked
        }
    }
}
