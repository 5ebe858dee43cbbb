/// What a verified token's claims must say, besides its signature.
public struct TokenRules: Sendable, Equatable {
    /// The `iss` a token must carry; nil accepts any.
    public var issuer: String?
    /// A value the token's `aud` must be or contain; nil accepts any.
    public var audience: String?
    /// The claim that names the account the token acts for.
    public var accountClaim = "sub"
    /// How far `exp` and `nbf` may be off, for clocks that disagree a little.
    public var leeway: Duration = .seconds(60)

    public init(
        issuer: String? = nil, audience: String? = nil, accountClaim: String = "sub", leeway: Duration = .seconds(60)
    ) {
        self.issuer = issuer
        self.audience = audience
        self.accountClaim = accountClaim
        self.leeway = leeway
    }
}
