/// Where the keys that sign users' tokens come from, and what their claims must say (`api.jwt`).
public struct UserTokenSettings: Sendable, Equatable {
    /// The HS256 secret shared with the application (`secret`, or `$SWITCHBOARD_API_JWT_SECRET`).
    public var secret: String?
    /// A PEM file with the RS256 or ES256 public key (`public_key_file`).
    public var publicKeyFile: String?
    /// A JSON Web Key Set file (`jwks_file`).
    public var jwksFile: String?
    /// An identity provider's JSON Web Key Set URL (`jwks_url`), fetched when needed.
    public var jwksURL: String?
    /// The `iss` tokens must carry (`issuer`); nil accepts any.
    public var issuer: String?
    /// A value tokens' `aud` must hold (`audience`); nil accepts any.
    public var audience: String?
    /// The claim naming the user's account (`account_claim`, default `sub`).
    public var accountClaim = "sub"
    /// How far `exp` and `nbf` may be off (`leeway_seconds`, default 60).
    public var leeway: Duration = .seconds(60)

    /// The settings `api.jwt` takes.
    static let keys = [
        "secret", "public_key_file", "jwks_file", "jwks_url", "issuer", "audience", "account_claim", "leeway_seconds",
    ]

    public init() {}

    /// Whether any key is configured.
    var hasKeys: Bool {
        secret != nil || hasPublicKeys
    }

    /// Whether public keys are configured (which may sign other applications' tokens too).
    var hasPublicKeys: Bool {
        publicKeyFile != nil || jwksFile != nil || jwksURL != nil
    }
}
