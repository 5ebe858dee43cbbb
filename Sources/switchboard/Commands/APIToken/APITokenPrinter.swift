import ChatStore
import JSON

enum APITokenPrinter {
    static func fields(_ token: APIToken) -> JSONObject {
        [
            "name": token.name, "scopes": token.scopes.map(\.rawValue), "created_at": token.createdAt.description,
            "revoked_at": token.revokedAt?.description ?? JSONValue.null,
        ]
    }
}
