import Queue

/// A service's credential for `serve`'s API: a name, the scopes it grants, and when it was made and
/// revoked. The secret itself is shown once, when it is created, and stored only as its digest.
public struct APIToken: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let scopes: [APIScope]
    public let createdAt: Timestamp
    /// When it was revoked; nil while it is in force.
    public let revokedAt: Timestamp?

    /// Every secret starts with this, so a scanner that finds one in a log or a repository can tell
    /// what it is.
    public static let prefix = "sbk_"
    /// The longest name, in bytes.
    public static let maxNameBytes = 64

    public init(id: Int64, name: String, scopes: [APIScope], createdAt: Timestamp, revokedAt: Timestamp?) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Whether the token may act within `scope` (`admin` may act within every scope).
    public func grants(_ scope: APIScope) -> Bool {
        scopes.contains(scope) || scopes.contains(.admin)
    }
}

/// What an API token may do. `admin` grants every scope.
public enum APIScope: String, Sendable, CaseIterable, Comparable {
    /// The bot-facing linking operations: create link tokens, read their status, resolve owners.
    case links
    /// The queue: enqueue, inspect, cancel and retry jobs, dead letters.
    case jobs
    /// Everything.
    case admin

    public static func < (left: APIScope, right: APIScope) -> Bool {
        allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
    }
}

/// A newly created API token: its record, and the secret, which is never shown again.
public struct CreatedAPIToken: Sendable {
    public let token: APIToken
    public let secret: String
}
