import ChatStore

/// Who made an API call, once authenticated.
enum APICaller: Sendable {
    /// A signed-in user of the application, by the account their token names: they act only on their
    /// own links, connections and codes.
    case user(account: String)
    /// A service, by its API token: it acts within the token's scopes.
    case service(APIToken)
}

/// Who may call a route.
package enum APIAccess: Sendable, Equatable {
    /// Signed-in users (a JWT).
    case user
    /// Services whose token grants the scope.
    case service(APIScope)
    /// Anyone (the OpenAPI document).
    case anyone
}
